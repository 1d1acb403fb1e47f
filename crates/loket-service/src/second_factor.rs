//! Staff second factor (REQUIREMENTS SEC-09): setting up an authenticator app, checking its codes
//! and recovery codes at login, an admin's reset, and the rule that a session of a member who
//! must have one but has not set it up opens nothing but the setup.
//!
//! Secrets are sealed under the master key with the login name as context, so a secret copied to
//! another account's row does not open. See [`crate::totp`] for the codes themselves.

use loket_core::AgentId;
use loket_core::audit::{AuditEvent, AuditKind};
use loket_core::config::SecondFactorPolicy;
use loket_store::{SecondFactorChange, StaffAccount};

use crate::Loket;
use crate::error::{Error, Result};
use crate::staff::StaffContext;
use crate::totp::{self, TotpSecret};

/// Where a staff member stands with the second factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecondFactorState {
    /// An authenticator app is set up: logins need its code or a recovery code.
    InUse,
    /// The policy requires one and none is set up: the session opens only the setup.
    SetupRequired,
    /// None set up, and the policy lets the member work without.
    NotInUse,
}

impl SecondFactorState {
    /// The stable name the API uses.
    pub fn as_str(self) -> &'static str {
        match self {
            SecondFactorState::InUse => "in_use",
            SecondFactorState::SetupRequired => "setup_required",
            SecondFactorState::NotInUse => "not_in_use",
        }
    }
}

/// A secret being set up, shown once: for typing into an app and for its QR code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotpSetup {
    /// The secret in base32.
    pub secret: String,
    /// The `otpauth://` URI.
    pub uri: String,
}

/// How a login's second factor was given (an audit attribute).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FactorUsed {
    Totp,
    RecoveryCode,
    None,
}

impl FactorUsed {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            FactorUsed::Totp => "totp",
            FactorUsed::RecoveryCode => "recovery_code",
            FactorUsed::None => "none",
        }
    }
}

fn setup_required() -> Error {
    Error::Invalid {
        code: "second_factor_setup_required",
        message: "set up an authenticator app first (security settings); nothing else opens until then".into(),
    }
}

pub(crate) fn invalid_code() -> Error {
    Error::Invalid {
        code: "invalid_second_factor",
        message: "the code is wrong or already used; enter the current code from your authenticator app or an unused recovery code".into(),
    }
}

impl Loket {
    /// Where `account` stands under the configured policy.
    pub fn second_factor_state(&self, account: &StaffAccount) -> SecondFactorState {
        if account.second_factor.enabled() {
            SecondFactorState::InUse
        } else if self.config().config.auth.second_factor == SecondFactorPolicy::Required {
            SecondFactorState::SetupRequired
        } else {
            SecondFactorState::NotInUse
        }
    }

    /// Refuses a session that may only set up its second factor (403
    /// `second_factor_setup_required`). Every console and admin route but the setup, `me` and
    /// logout goes through this.
    pub fn require_full_session(&self, context: &StaffContext) -> Result<()> {
        match self.second_factor_state(&context.account) {
            SecondFactorState::SetupRequired => Err(setup_required()),
            SecondFactorState::InUse | SecondFactorState::NotInUse => Ok(()),
        }
    }

    /// Starts setting up an authenticator app: a new secret, shown once. Starting again
    /// replaces a secret that was not confirmed. 409 `second_factor_in_use` when one is set up
    /// (an admin resets it first).
    pub async fn begin_second_factor(&self, context: &StaffContext) -> Result<TotpSetup> {
        let in_use = Error::Conflict {
            code: "second_factor_in_use",
            message: "an authenticator app is already set up; an admin can reset it",
        };
        if context.account.second_factor.enabled() {
            return Err(in_use);
        }
        let id = &context.account.id;
        let secret = TotpSecret::generate()?;
        let sealed = self.master_key.seal(secret.as_bytes(), &totp_context(id))?;
        let began = self
            .store
            .change_second_factor(id, SecondFactorChange::Begin { sealed }, vec![], self.now())
            .await?;
        if !began {
            return Err(in_use);
        }
        Ok(TotpSetup {
            secret: secret.base32(),
            uri: secret.uri(&self.config().config.company.name, id.as_str()),
        })
    }

    /// Confirms the secret being set up with a code from the app, puts it in use and returns
    /// the recovery codes, shown once.
    pub async fn confirm_second_factor(&self, context: &StaffContext, code: &str) -> Result<Vec<String>> {
        // The session's account was read for this request, after the setup began.
        let id = &context.account.id;
        let Some(sealed) = context.account.second_factor.pending_sealed.clone() else {
            return Err(Error::Conflict {
                code: "no_second_factor_pending",
                message: "start setting up an authenticator app first",
            });
        };
        let secret = self.open_totp_secret(id, &sealed)?;
        let now = self.now();
        self.count_second_factor_attempt(id, now).await?;
        let step = secret
            .matching_step(code, now.timestamp(), self.config().config.auth.totp_skew_steps)
            .ok_or_else(invalid_code)?;
        let codes = totp::new_recovery_codes()?;
        let recovery_hashes = codes.iter().filter_map(|code| totp::recovery_code_hash(code)).collect();
        let audit = AuditEvent::new(AuditKind::StaffSecondFactorEnabled, None, format!("agent:{id}"))
            .attribute("method", "totp")
            .attribute("recovery_codes", codes.len().to_string());
        let enabled = self
            .store
            .change_second_factor(
                id,
                SecondFactorChange::Enable {
                    sealed,
                    step,
                    recovery_hashes,
                },
                vec![audit],
                now,
            )
            .await?;
        if !enabled {
            return Err(Error::Conflict {
                code: "second_factor_in_use",
                message: "an authenticator app was set up in the meantime",
            });
        }
        Ok(codes)
    }

    /// Removes a member's second factor and ends their sessions (`loket user reset-second-factor`,
    /// for a lost phone without recovery codes). With the policy `required` they set up a new
    /// one at their next login.
    pub async fn reset_second_factor(&self, id: &AgentId, actor: &str) -> Result<()> {
        let audit = AuditEvent::new(AuditKind::StaffSecondFactorReset, None, actor.to_owned())
            .attribute("staff", format!("agent:{id}"));
        self.store
            .change_second_factor(id, SecondFactorChange::Reset, vec![audit], self.now())
            .await?;
        Ok(())
    }

    /// The login's second factor for `account` whose password was right: `None` given where one
    /// is in use is 401 `second_factor_required`; a wrong, reused or unknown code is `Ok(None)`.
    pub(crate) async fn check_second_factor(
        &self,
        account: &StaffAccount,
        presented: Option<&str>,
    ) -> Result<Option<FactorUsed>> {
        let Some(sealed) = &account.second_factor.totp_sealed else {
            return Ok(Some(FactorUsed::None));
        };
        let Some(presented) = presented.map(str::trim).filter(|text| !text.is_empty()) else {
            return Err(Error::Invalid {
                code: "second_factor_required",
                message: "enter the code from your authenticator app".into(),
            });
        };
        let now = self.now();
        self.count_second_factor_attempt(&account.id, now).await?;
        let (change, used) = if let Some(hash) = totp::recovery_code_hash(presented) {
            (SecondFactorChange::UseRecoveryCode(hash), FactorUsed::RecoveryCode)
        } else {
            let secret = self.open_totp_secret(&account.id, sealed)?;
            match secret.matching_step(presented, now.timestamp(), self.config().config.auth.totp_skew_steps) {
                Some(step) => (SecondFactorChange::UseStep(step), FactorUsed::Totp),
                None => return Ok(None),
            }
        };
        let accepted = self
            .store
            .change_second_factor(&account.id, change, vec![], now)
            .await?;
        Ok(accepted.then_some(used))
    }

    /// Counts a code tried for `id` against `limits.second_factor_attempts_per_account`, from
    /// all addresses together; 429 once the window is full.
    async fn count_second_factor_attempt(&self, id: &AgentId, now: chrono::DateTime<chrono::Utc>) -> Result<()> {
        if self.second_factor_rate.allow(&format!("staff:{id}"), now).await? {
            Ok(())
        } else {
            Err(Error::RateLimited)
        }
    }

    fn open_totp_secret(&self, id: &AgentId, sealed: &[u8]) -> Result<TotpSecret> {
        let bytes = self.master_key.open(sealed, &totp_context(id))?;
        TotpSecret::from_bytes(&bytes).ok_or_else(|| Error::Unavailable("a stored second factor is unreadable".into()))
    }
}

/// The sealing context of a member's secret.
fn totp_context(id: &AgentId) -> Vec<u8> {
    format!("loket/staff-totp/v1/{id}").into_bytes()
}
