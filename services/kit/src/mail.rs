//! Outgoing e-mail: over SMTP when `PRM_SMTP_URL` is set (`smtp://host:port`
//! for a plain relay, `smtps://user:pass@host` for TLS), otherwise written as
//! `.eml` files into a directory (the embedded default), so a newcomer can
//! open what the system sent.

use std::path::PathBuf;

use anyhow::Context;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor, message::Mailbox};

/// Where mail goes.
#[derive(Debug, Clone, clap::Args)]
pub struct MailSettings {
    /// SMTP server; unset writes .eml files to `mail_dir` instead.
    #[arg(long, env = "PRM_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// Directory for .eml files when no SMTP server is set.
    #[arg(long, env = "PRM_MAIL_DIR", default_value = "data/mail")]
    pub mail_dir: PathBuf,
    /// Sender of every message.
    #[arg(long, env = "PRM_MAIL_FROM", default_value = "prm <no-reply@prm.localhost>")]
    pub mail_from: String,
}

impl Default for MailSettings {
    fn default() -> Self {
        MailSettings {
            smtp_url: None,
            mail_dir: std::env::temp_dir().join("prm-mail"),
            mail_from: "prm <no-reply@prm.localhost>".into(),
        }
    }
}

#[derive(Clone)]
enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(PathBuf),
}

/// Sends messages built with [`Mailer::message`].
#[derive(Clone)]
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
}

impl Mailer {
    pub fn new(settings: &MailSettings) -> anyhow::Result<Mailer> {
        let from: Mailbox =
            settings.mail_from.parse().with_context(|| format!("PRM_MAIL_FROM `{}`", settings.mail_from))?;
        let transport = match settings.smtp_url.as_deref().filter(|u| !u.is_empty()) {
            Some(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .with_context(|| "PRM_SMTP_URL is not an smtp:// or smtps:// URL")?
                    .timeout(Some(std::time::Duration::from_secs(10)))
                    .build(),
            ),
            None => Transport::Files(settings.mail_dir.clone()),
        };
        Ok(Mailer { transport, from })
    }

    /// A message from the configured sender.
    pub fn message(&self) -> lettre::message::MessageBuilder {
        Message::builder().from(self.from.clone())
    }

    /// Sends `msg`; answers where it went (the SMTP server or the file).
    pub async fn send(&self, msg: Message) -> anyhow::Result<String> {
        match &self.transport {
            Transport::Smtp(t) => {
                t.send(msg).await.context("SMTP delivery")?;
                Ok("smtp".into())
            }
            Transport::Files(dir) => {
                tokio::fs::create_dir_all(dir).await.with_context(|| format!("creating {}", dir.display()))?;
                let path = dir.join(format!("{}.eml", uuid::Uuid::now_v7()));
                tokio::fs::write(&path, msg.formatted())
                    .await
                    .with_context(|| format!("writing {}", path.display()))?;
                Ok(path.display().to_string())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn without_smtp_mail_lands_in_eml_files() {
        let dir = crate::testing::TempDir::new("mail").unwrap();
        let mailer = Mailer::new(&MailSettings { mail_dir: dir.0.clone(), ..Default::default() }).unwrap();
        let msg = mailer
            .message()
            .to("ann@example.com".parse().unwrap())
            .subject("Hello")
            .body("Hi Ann".to_string())
            .unwrap();
        let path = mailer.send(msg).await.unwrap();
        let text = std::fs::read_to_string(path).unwrap();
        assert!(text.contains("To: ann@example.com"));
        assert!(text.contains("Subject: Hello"));
    }

    #[test]
    fn a_bad_smtp_url_is_refused_at_start() {
        let settings = MailSettings { smtp_url: Some("http://nope".into()), ..Default::default() };
        assert!(Mailer::new(&settings).is_err());
    }
}
