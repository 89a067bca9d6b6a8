//! How the library's messages name the settings of the front end that runs it.
//!
//! The library never names a command-line flag or a page's field: a message that tells the user
//! to give something (last year's reports, the agency and year, a higher limit, the format
//! version) takes its clause from [`Wording`], which the front end fills in (the CLI names its
//! flags). The defaults are neutral sentences for any caller.

/// The clauses a front end puts into the library's help texts. Each is a whole clause as it
/// appears in the help, ending in `。`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wording {
    /// Asks for last year's reports (cross-year findings X1–X3 that could not be checked).
    pub previous: String,
    /// Ends the help of I9 (agency or year not found): how to state them for one file.
    pub agency_year: String,
    /// Ends the help of a file refused as too large: how to raise the reading limits.
    pub limits: String,
    /// The help of a file whose format version no label tells: how to state it.
    pub format_version: String,
}

impl Default for Wording {
    fn default() -> Self {
        Wording {
            previous: "请提供上一年度的报表。".into(),
            agency_year: "或在读取时指定单位名称和统计年度。".into(),
            limits: "或放宽读取上限。".into(),
            format_version: "请指定格式版本（2019 或 2021）。".into(),
        }
    }
}
