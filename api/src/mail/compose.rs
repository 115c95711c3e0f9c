//! The words of each message. The links carry the token as `?token=`; the client page that
//! opens it passes the token to the matching mutation (`verifyEmail`, `resetPassword`,
//! `acceptInvitation`).

use chrono::{DateTime, Utc};
use entity::Role;

use super::{Mail, MailKind};

fn link(public_url: &str, path: &str, token: &str) -> String {
    format!("{}{path}?token={token}", public_url.trim_end_matches('/'))
}

pub fn verify_email(public_url: &str, to: &str, token: &str) -> Mail {
    Mail {
        to: to.to_owned(),
        kind: MailKind::VerifyEmail,
        subject: "Confirm your email address for Accord".into(),
        body: format!(
            "Someone signed up to Accord with this address. If it was you, confirm it by \
             opening this link within 48 hours:\n\n{}\n\nIf it was not you, ignore this mail: \
             the account cannot join any workspace without this confirmation.\n",
            link(public_url, "/verify-email", token)
        ),
    }
}

/// To the owner of a verified address that someone else just signed up with.
pub fn address_in_use(public_url: &str, to: &str) -> Mail {
    Mail {
        to: to.to_owned(),
        kind: MailKind::AddressInUse,
        subject: "Someone tried to sign up to Accord with your address".into(),
        body: format!(
            "Someone just signed up to Accord with this address, which already belongs to your \
             account. The new account cannot use your address or join your workspaces. If it was \
             you, sign in to your existing account at {} (or reset your password there).\n",
            public_url.trim_end_matches('/')
        ),
    }
}

pub fn password_reset(
    public_url: &str,
    to: &str,
    account_name: &str,
    account_created: DateTime<Utc>,
    token: &str,
) -> Mail {
    Mail {
        to: to.to_owned(),
        kind: MailKind::PasswordReset,
        subject: "Reset your Accord password".into(),
        body: format!(
            "Someone asked to reset the password of the Accord account \"{account_name}\" \
             (created {}). To choose a new password, open this link within an hour:\n\n{}\n\n\
             It signs out every session of the account. If you did not ask, ignore this mail.\n",
            account_created.format("%Y-%m-%d"),
            link(public_url, "/reset-password", token)
        ),
    }
}

pub fn invitation(
    public_url: &str,
    to: &str,
    workspace_name: &str,
    role: Role,
    token: &str,
) -> Mail {
    Mail {
        to: to.to_owned(),
        kind: MailKind::Invitation,
        subject: format!("You are invited to {workspace_name} on Accord"),
        body: format!(
            "You are invited to join the workspace \"{workspace_name}\" on Accord as {role:?}. \
             Sign in (or sign up) with this address, confirm it, then open this link within \
             7 days:\n\n{}\n",
            link(public_url, "/invitations/accept", token)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::permissions::FOUNDING_ROLE;

    #[test]
    fn links_carry_the_token_once_under_the_public_url() {
        let mail = verify_email("https://accord.example.com/", "a@b.co", "acv_123");
        assert!(mail
            .body
            .contains("https://accord.example.com/verify-email?token=acv_123\n"));
        let mail = invitation("http://x", "a@b.co", "Acme", FOUNDING_ROLE, "aci_9");
        assert!(mail
            .body
            .contains("http://x/invitations/accept?token=aci_9"));
        assert!(mail.subject.contains("Acme"));
    }

    #[test]
    fn address_in_use_carries_no_token() {
        let mail = address_in_use("http://x", "a@b.co");
        assert!(!mail.body.contains("token="));
        assert_eq!(mail.kind, MailKind::AddressInUse);
    }
}
