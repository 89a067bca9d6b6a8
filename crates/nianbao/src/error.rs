//! Errors that stop the reading of one file. A wrong number is never an error: it is a finding
//! ([`crate::diag::Diagnostic`]).

use crate::model::{CellRef, FormatVersion, TableKey};
use crate::wording::Wording;

/// The lower-level error behind a damaged file (zip, XML, calamine), kept as the `source`.
pub type Cause = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why a file could not be used. Every variant names the file; `hint()` says what to do.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file could not be opened or read.
    #[error("{path}：无法打开文件：{}", os_reason(.source))]
    Io {
        /// The file as given (as in every message).
        path: String,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },

    /// The file has no bytes.
    #[error("{path}：文件为空（0 字节）")]
    Empty {
        /// The file as given (as in every message).
        path: String,
    },

    /// The bytes are not a workbook format nianbao reads (`what` says what they look like).
    #[error("{path}：不是可识别的工作簿文件（看起来是{what}）")]
    UnknownFormat {
        /// The file as given (as in every message).
        path: String,
        /// What the bytes look like instead (a Word document, a PDF, text…).
        what: String,
    },

    /// The workbook is encrypted with an opening password.
    #[error("{path}：工作簿设置了打开密码（已加密），无法读取")]
    Encrypted {
        /// The file as given (as in every message).
        path: String,
    },

    /// The container or a part of it is damaged (truncated download, broken zip, bad record).
    #[error("{path}：文件已损坏或不完整：{detail}")]
    Corrupt {
        /// The file as given (as in every message).
        path: String,
        /// What is damaged, in Chinese.
        detail: String,
        /// The lower-level error, when there is one.
        #[source]
        source: Option<Cause>,
    },

    /// A guard refused the file before reading it densely.
    #[error("{path}{}：{what}（实际 {actual}，上限 {limit}）", sheet.as_ref().map(|s| format!(" 工作表'{s}'")).unwrap_or_default())]
    TooLarge {
        /// The file as given (as in every message).
        path: String,
        /// The sheet that is too large, when the guard is per sheet.
        sheet: Option<String>,
        /// What is measured, in Chinese (e.g. 文件大小（字节）).
        what: &'static str,
        /// The measured size.
        actual: u64,
        /// The limit it exceeds (from [`Limits`](crate::read::Limits)).
        limit: u64,
    },

    /// No sheet holds any of the three statistics tables.
    #[error("{path}：未找到任何统计表（表二、表三、表四的行列标签都没有找到）")]
    NoTables {
        /// The file as given (as in every message).
        path: String,
    },

    /// Two visible sheets (or two places on one sheet) both hold the same table.
    #[error("{path}：{} 出现两次：{first} 和 {second}，无法确定以哪一份为准", table.short())]
    AmbiguousTable {
        /// The file as given (as in every message).
        path: String,
        /// The table found twice.
        table: TableKey,
        /// Where it was found first (its anchor label).
        first: CellRef,
        /// Where it was found again.
        second: CellRef,
    },

    /// Labels of both format versions were found.
    #[error("{path}：格式版本矛盾：{first}，而{second}")]
    VersionConflict {
        /// The file as given (as in every message).
        path: String,
        /// A label of one version.
        first: Box<VersionClue>,
        /// A label of the other version.
        second: Box<VersionClue>,
    },

    /// No label tells the version apart.
    #[error("{path}：无法判断统计表的格式版本（2019 版或 2021 版）")]
    VersionUnknown {
        /// The file as given (as in every message).
        path: String,
    },

    /// nianbao itself failed on this file (a panic caught in the file's work: checking, fixing,
    /// reducing for a roll-up); the other files go on.
    #[error("{path}：处理该文件时发生内部错误：{detail}")]
    Internal {
        /// The file as given (as in every message).
        path: String,
        /// The panic's message.
        detail: String,
    },
}

/// A label that proves a format version, and where it stands.
#[derive(Debug, Clone, PartialEq)]
pub struct VersionClue {
    /// Where the label stands.
    pub cell: CellRef,
    /// The label as found.
    pub label: String,
    /// The version it belongs to.
    pub version: FormatVersion,
}

impl std::fmt::Display for VersionClue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} 的“{}”属于 {} 版",
            self.cell, self.label, self.version
        )
    }
}

/// An operating-system error in the users' words: the common kinds in Chinese, with what they
/// mean for a file (the system's own text, in English, only for the rare rest). Every library
/// error that carries an `io::Error` shows it through this.
pub fn os_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    let said = match e.kind() {
        K::NotFound => "文件或文件夹不存在",
        K::PermissionDenied => "没有权限（请检查文件或文件夹的权限，或是否被其他程序占用）",
        K::AlreadyExists => "已存在同名文件",
        K::StorageFull => "磁盘空间不足",
        K::ReadOnlyFilesystem => "所在磁盘或文件夹是只读的",
        K::IsADirectory => "这是一个文件夹，不是文件",
        K::NotADirectory => "路径中有一段不是文件夹",
        K::InvalidFilename => "文件名不合法或过长",
        K::Interrupted | K::TimedOut => "操作被中断或超时，请重试",
        _ => return format!("系统错误：{e}"),
    };
    said.to_string()
}

impl ReadError {
    /// A stable identifier of the error class, for JSON output and tests.
    pub fn kind(&self) -> &'static str {
        match self {
            ReadError::Io { .. } => "io",
            ReadError::Empty { .. } => "empty",
            ReadError::UnknownFormat { .. } => "unknown_format",
            ReadError::Encrypted { .. } => "encrypted",
            ReadError::Corrupt { .. } => "corrupt",
            ReadError::TooLarge { .. } => "too_large",
            ReadError::NoTables { .. } => "no_tables",
            ReadError::AmbiguousTable { .. } => "ambiguous_table",
            ReadError::VersionConflict { .. } => "version_conflict",
            ReadError::VersionUnknown { .. } => "version_unknown",
            ReadError::Internal { .. } => "internal",
        }
    }

    /// What the user should do, in Chinese; `wording` names the front end's settings.
    pub fn hint(&self, wording: &Wording) -> String {
        let fixed = match self {
            ReadError::Io { .. } => "请检查路径是否正确、文件是否可读。",
            ReadError::Empty { .. } | ReadError::Corrupt { .. } => {
                "请向报送单位重新索取完整的文件（用 Excel 或 WPS 打开确认无误后另存为 .xlsx）。"
            }
            ReadError::UnknownFormat { .. } => {
                "请用 Excel 或 WPS 打开该文件，另存为 .xlsx 后重试。"
            }
            ReadError::Encrypted { .. } => {
                "请报送单位取消打开密码（文件→信息→保护工作簿→用密码进行加密，清空密码）后重新报送。"
            }
            ReadError::TooLarge { .. } => {
                return format!(
                    "该文件远超统计表的正常规模，可能含有误填的远端单元格或被恶意构造；请删除多余内容后另存，{}",
                    wording.limits
                );
            }
            ReadError::NoTables { .. } => {
                "请确认这是政府信息公开年度报告统计表；表格须保留“自然人”“信息内容”“行政复议”等原始标签。"
            }
            ReadError::AmbiguousTable { .. } => {
                "请删除或隐藏其中一份（例如草稿或上年数据的工作表）后重试；隐藏的工作表不参与读取。"
            }
            ReadError::VersionConflict { .. } => {
                "请按同一版本的格式填写全部表格（2021 年起使用国办公开办函〔2021〕30号格式）。"
            }
            ReadError::Internal { .. } => {
                "这是 nianbao 的缺陷，不是文件的问题：请把该文件和这条信息报告给维护者；其他文件不受影响。"
            }
            ReadError::VersionUnknown { .. } => return wording.format_version.clone(),
        };
        fixed.to_string()
    }

    /// The file the error is about, as given.
    pub fn path(&self) -> &str {
        match self {
            ReadError::Io { path, .. }
            | ReadError::Empty { path }
            | ReadError::UnknownFormat { path, .. }
            | ReadError::Encrypted { path }
            | ReadError::Corrupt { path, .. }
            | ReadError::TooLarge { path, .. }
            | ReadError::NoTables { path }
            | ReadError::AmbiguousTable { path, .. }
            | ReadError::VersionConflict { path, .. }
            | ReadError::VersionUnknown { path }
            | ReadError::Internal { path, .. } => path,
        }
    }
}
