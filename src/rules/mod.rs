//! Rules as data: `rules/*.toml` loaded into typed [`Rule`]s, with a validator that names the
//! file, line and field of any mistake. The rule files in `rules/` are embedded in the binary
//! as the defaults; a config may point at another folder.

use serde::{Deserialize, Serialize};

/// The kind of a rule, as the indicators judge it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// 单项否决: any finding makes the site 不合格.
    Veto,
    /// 扣分: points deducted, capped per indicator.
    Deduct,
    /// 提示: information only.
    Notice,
}

impl Kind {
    /// Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            Kind::Veto => "单项否决",
            Kind::Deduct => "扣分",
            Kind::Notice => "提示",
        }
    }
}
