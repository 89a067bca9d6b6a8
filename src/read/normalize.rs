//! Label normalisation. Labels are matched after normalising, never byte for byte and never by
//! a fixed cell address. Normalised text is for comparison only; nothing is ever rewritten with it.

use std::sync::LazyLock;

use regex::Regex;
use unicode_normalization::UnicodeNormalization;

/// NFKC (full-width → half-width, `（一）` → `(一)`), all whitespace and line breaks removed, and
/// quote styles unified to `"`.
pub fn norm(s: &str) -> String {
    s.nfkc()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '“' | '”' | '„' | '‟' | '「' | '」' | '『' | '』' | '\'' | '‘' | '’' | '〝' | '〞' => {
                '"'
            }
            c => c,
        })
        .collect()
}

static ENUMERATION: LazyLock<Regex> = LazyLock::new(|| {
    // 一、  (一)  (1)  1.  1、  ①… (NFKC has turned ① into 1)
    Regex::new(r"[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|\(\d{1,2}\)|\d{1,2}[.、]")
        .expect("valid regex")
});

/// The core of a row or column label: [`norm`], enumeration markers (`三、`, `（一）`, `1.`)
/// removed, then everything that is not a letter or digit removed. `（三）不予公开 1. 属于国家秘密`
/// → `不予公开属于国家秘密`; `本年增/减` → `本年增减`. Not for titles such as `第二十条第（一）项`,
/// whose enumeration is their meaning: use [`norm`] for those.
pub fn core(s: &str) -> String {
    let n = norm(s);
    ENUMERATION
        .replace_all(&n, "")
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn norm_unifies_width_space_and_quotes() {
        assert_eq!(norm("（一）予以公开"), "(一)予以公开");
        assert_eq!(norm("本年新\n制作数量"), "本年新制作数量");
        assert_eq!(norm("1. 属于国家秘密"), "1.属于国家秘密");
        assert_eq!(norm("３.危及“三安全一稳定”"), "3.危及\"三安全一稳定\"");
        assert_eq!(norm("3.危及\"三安全一稳定\""), "3.危及\"三安全一稳定\"");
        assert_eq!(norm("第二十条第（九）项"), "第二十条第(九)项");
        assert_eq!(norm("\u{3000}规章 "), "规章");
    }

    #[test]
    fn core_strips_enumeration_and_punctuation() {
        assert_eq!(
            core("（三）不予公开 1. 属于国家秘密"),
            "不予公开属于国家秘密"
        );
        assert_eq!(core("1.属于国家秘密"), "属于国家秘密");
        assert_eq!(core("1、属于国家秘密"), "属于国家秘密");
        assert_eq!(
            core("三、本年度办理结果（一）予以公开"),
            "本年度办理结果予以公开"
        );
        assert_eq!(core("本年增/减"), "本年增减");
        assert_eq!(core("（七）总计"), "总计");
        assert_eq!(core("3.其他"), "其他");
        assert_eq!(core("(六)其他处理"), "其他处理");
        assert_eq!(core("3.危及“三安全一稳定”"), "危及三安全一稳定");
        assert_eq!(core("5.属于三类内部事务信息"), "属于三类内部事务信息");
        assert_eq!(
            core("本年收费金额（单位：万元）"),
            core("本年收费金额(单位:万元)")
        );
        assert_eq!(
            core("1.申请人无正当理由逾期不补正, 行政机关不再处理其政府信息公开申请"),
            core("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请")
        );
    }
}
