//! Label normalisation. Labels are matched after normalising, never byte for byte and never by
//! a fixed cell address. Normalised text is for comparison only; nothing is ever rewritten with it.

use unicode_normalization::UnicodeNormalization;

/// NFKC (full-width → half-width, `（一）` → `(一)`), all whitespace, line breaks and
/// [invisible characters](is_invisible) removed, and quote styles unified to `"`.
pub fn norm(s: &str) -> String {
    // Fast path for what labels are made of: ASCII, CJK ideographs, full-width ASCII forms and the
    // ideographic space, whose NFKC is known. Anything else goes through full NFKC.
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let c = match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            // ASCII, CJK ideographs, the ideographic space (→ a space, removed below), CJK
            // punctuation that NFKC leaves alone (、。〈〉《》【】…), dashes.
            c if c.is_ascii()
                || ('\u{4E00}'..='\u{9FFF}').contains(&c)
                || ('\u{3000}'..='\u{3035}').contains(&c)
                || matches!(c, '\u{2014}' | '\u{2013}' | '\u{2015}') =>
            {
                c
            }
            c if is_quote(c) => c,
            _ => return slow_norm(s),
        };
        if !c.is_whitespace() {
            out.push(unify_quote(c));
        }
    }
    out
}

fn slow_norm(s: &str) -> String {
    // Before NFKC too: it maps the Hangul fillers U+3164 and U+FFA0 to U+1160, and would compose
    // a combining mark with a filler before it.
    s.chars()
        .filter(|&c| !is_invisible(c))
        .nfkc()
        .filter(|&c| !c.is_whitespace() && !is_invisible(c))
        .map(unify_quote)
        .collect()
}

/// Characters that show nothing (or only blank space) and so can make a label that looks like
/// the official one compare unequal to it, or a decoy compare equal: the Hangul fillers (letters
/// to Unicode, so [`core`](fn@core) would keep them), zero-width and joiner characters, bidi
/// marks and isolates, variation selectors, the soft hyphen, invisible operators, tags.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'                       // soft hyphen
        | '\u{034F}'                     // combining grapheme joiner
        | '\u{115F}' | '\u{1160}'        // Hangul choseong / jungseong fillers
        | '\u{17B4}' | '\u{17B5}'        // Khmer inherent vowels
        | '\u{180B}'..='\u{180F}'        // Mongolian variation selectors and vowel separator
        | '\u{200B}'..='\u{200F}'        // zero width space, (non-)joiner, LRM, RLM
        | '\u{202A}'..='\u{202E}'        // bidi embeddings and overrides
        | '\u{2060}'..='\u{2064}'        // word joiner, invisible operators
        | '\u{2066}'..='\u{2069}'        // bidi isolates
        | '\u{3164}'                     // Hangul filler
        | '\u{FE00}'..='\u{FE0F}'        // variation selectors
        | '\u{FEFF}'                     // zero width no-break space (BOM)
        | '\u{FFA0}'                     // half-width Hangul filler
        | '\u{E0000}'..='\u{E007F}'      // tags
        | '\u{E0100}'..='\u{E01EF}' // variation selectors supplement
    )
}

fn is_quote(c: char) -> bool {
    matches!(
        c,
        '“' | '”' | '„' | '‟' | '「' | '」' | '『' | '』' | '\'' | '‘' | '’' | '〝' | '〞'
    )
}

fn unify_quote(c: char) -> char {
    if is_quote(c) {
        '"'
    } else {
        c
    }
}

fn is_cjk_numeral(c: char) -> bool {
    matches!(
        c,
        '一' | '二' | '三' | '四' | '五' | '六' | '七' | '八' | '九' | '十'
    )
}

/// Length in chars of an enumeration marker starting at `i`, if one does:
/// `一、` `(一)` `(1)` `1.` `1、` (NFKC has turned `①` into `1` and `（` into `(`).
fn enumeration_at(c: &[char], i: usize) -> Option<usize> {
    // Runs are looked at no further than an enumeration can be long, so that a cell of
    // 40,000 numerals is read in linear time (each position scans a bounded run).
    const MAX_RUN: usize = 8;
    let run = |from: usize, f: fn(char) -> bool| {
        c[from..]
            .iter()
            .take(MAX_RUN + 1)
            .take_while(|&&x| f(x))
            .count()
    };
    let digit = |x: char| x.is_ascii_digit();
    if c[i] == '(' {
        // (一) … (十二), or (1) … (99)
        for (f, max) in [(is_cjk_numeral as fn(char) -> bool, MAX_RUN), (digit, 2)] {
            let n = run(i + 1, f);
            if (1..=max).contains(&n) && c.get(i + 1 + n) == Some(&')') {
                return Some(n + 2);
            }
        }
        return None;
    }
    let n = run(i, is_cjk_numeral);
    if (1..=MAX_RUN).contains(&n) && c.get(i + n) == Some(&'、') {
        return Some(n + 1);
    }
    let n = run(i, digit);
    let decimal = c.get(i + n + 1).is_some_and(|x| x.is_ascii_digit());
    if (1..=2).contains(&n) && matches!(c.get(i + n), Some('.') | Some('、')) && !decimal {
        return Some(n + 1);
    }
    None
}

/// The length in bytes of the enumeration marker (`三、`, `(一)`, `1.`) a [`norm`]alised label
/// starts with; 0 when it starts with none.
pub(crate) fn enumeration_prefix_len(n: &str) -> usize {
    let chars: Vec<char> = n.chars().take(12).collect();
    if chars.is_empty() {
        return 0;
    }
    enumeration_at(&chars, 0)
        .map(|k| chars[..k].iter().map(|c| c.len_utf8()).sum())
        .unwrap_or(0)
}

/// The core of a row or column label: [`norm`], enumeration markers (`三、`, `（一）`, `1.`)
/// removed, then everything that is not a letter or digit removed. `（三）不予公开 1. 属于国家秘密`
/// → `不予公开属于国家秘密`; `本年增/减` → `本年增减`. Not for titles such as `第二十条第（一）项`,
/// whose enumeration is their meaning: use [`norm`] for those.
pub fn core(s: &str) -> String {
    core_of_norm(&norm(s))
}

/// [`core`](fn@core) of a string that is already [`norm`]alised.
pub fn core_of_norm(n: &str) -> String {
    // The chars, on the stack for a label-sized string (no allocation per cell).
    let mut stack = ['\0'; 64];
    let heap: Vec<char>;
    let chars: &[char] = if n.len() <= stack.len() {
        let mut len = 0;
        for (slot, c) in stack.iter_mut().zip(n.chars()) {
            *slot = c;
            len += 1;
        }
        &stack[..len]
    } else {
        heap = n.chars().collect();
        &heap
    };
    let mut out = String::with_capacity(n.len());
    let mut i = 0;
    while i < chars.len() {
        // A digit that continues a number (`12.5`) does not start an enumeration.
        let c = chars[i];
        let may_start = c == '(' || c.is_ascii_digit() || is_cjk_numeral(c);
        let starts_word = i == 0 || !chars[i - 1].is_ascii_digit();
        match (may_start && starts_word)
            .then(|| enumeration_at(chars, i))
            .flatten()
        {
            Some(n) => i += n,
            None => {
                if ('\u{4E00}'..='\u{9FFF}').contains(&c) || c.is_alphanumeric() {
                    out.push(chars[i]);
                }
                i += 1;
            }
        }
    }
    out
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
        // the fast path and full NFKC agree
        for t in [
            "（一）予以公开：１２，",
            "３.危及“三安全一稳定”",
            "本年增/减",
            "①属于",
            "Ⅲ、其他",
            "\u{3000}规章 ",
            "〈一〉《条例》——。",
            "〶〸",
        ] {
            assert_eq!(norm(t), slow_norm(t), "{t}");
        }
    }

    /// Invisible and filler characters compare as nothing, wherever they sit in a label.
    #[test]
    fn invisible_characters_are_removed() {
        let invisible = [
            '\u{3164}',
            '\u{115F}',
            '\u{1160}',
            '\u{FFA0}',
            '\u{200B}',
            '\u{200C}',
            '\u{200D}',
            '\u{2060}',
            '\u{FEFF}',
            '\u{200E}',
            '\u{200F}',
            '\u{202A}',
            '\u{202E}',
            '\u{2066}',
            '\u{2069}',
            '\u{FE00}',
            '\u{FE0F}',
            '\u{E0100}',
            '\u{E01EF}',
            '\u{00AD}',
        ];
        for c in invisible {
            for label in [
                format!("自然人{c}"),
                format!("{c}自然人"),
                format!("自然{c}人"),
            ] {
                assert_eq!(norm(&label), "自然人", "U+{:04X}", c as u32);
                assert_eq!(core(&label), "自然人", "U+{:04X}", c as u32);
            }
        }
        assert_eq!(
            core("（一）予以公开\u{3164}\u{FFA0}"),
            core("（一）予以公开")
        );
        // Visible Hangul is kept.
        assert_eq!(core("자연인"), "자연인");
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
        assert_eq!(core("（１０）其他"), "其他");
        assert_eq!(core("第二十条第（九）项"), "第二十条第项");
        assert_eq!(core("12.5万元"), "125万元");
        assert_eq!(
            core("本年收费金额（单位：万元）"),
            core("本年收费金额(单位:万元)")
        );
        assert_eq!(
            core("1.申请人无正当理由逾期不补正, 行政机关不再处理其政府信息公开申请"),
            core("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请")
        );
    }

    /// A 40,000-character cell of numerals (`十十十…`) took 53 s in a debug build: every
    /// position scanned the run to its end. Now each scans at most an enumeration's length.
    #[test]
    fn a_long_run_of_numerals_is_linear() {
        let t = std::time::Instant::now();
        let long = "十".repeat(100_000);
        assert!(core(&long) == long);
        assert!(
            t.elapsed() < std::time::Duration::from_secs(5),
            "{:?}",
            t.elapsed()
        );
        assert_eq!(core("十二、甲"), "甲");
        assert_eq!(core("（十二）甲"), "甲");
    }
}
