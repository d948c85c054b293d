//! Outgoing e-mail: over SMTP when `PRM_SMTP_URL` is set (`smtp://host:port`
//! for a plain relay, `smtps://user:pass@host` for TLS), otherwise written as
//! `.eml` files into a directory (the embedded default), so a newcomer can
//! open what the system sent. Mail that must not be lost goes through the
//! outbox as a [`MailEvent`] and is sent by a [`MailSink`] with retries.

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
    /// Base URL people open the portal at; links in e-mails start with it.
    #[arg(long, env = "PRM_PUBLIC_URL", default_value = "http://localhost:8080")]
    pub public_url: String,
}

impl Default for MailSettings {
    fn default() -> Self {
        MailSettings {
            smtp_url: None,
            mail_dir: std::env::temp_dir().join("prm-mail"),
            mail_from: "prm <no-reply@prm.localhost>".into(),
            public_url: "http://localhost:8080".into(),
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

impl MailSettings {
    /// A link into the portal: `path` (e.g. `/cases/…`) under [`Self::public_url`].
    pub fn link(&self, path: &str) -> String {
        format!("{}/{}", self.public_url.trim_end_matches('/'), path.trim_start_matches('/'))
    }
}

/// Outbox topic of [`MailEvent`]s.
pub const MAIL_TOPIC: &str = "mail.send";

/// A plain-text e-mail queued in a service's outbox, so that a mail server
/// that is down delays the message but neither loses it nor fails the
/// change that caused it. The [`MailSink`] sends it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MailEvent {
    pub to_email: String,
    /// Display name of the recipient; may be empty.
    pub to_name: String,
    pub subject: String,
    pub body: String,
}

/// Queues `mail` about record `aggregate_id`; call it in the transaction of
/// the change the mail reports.
pub async fn enqueue<C: sea_orm::ConnectionTrait>(
    conn: &C,
    aggregate_id: uuid::Uuid,
    mail: &MailEvent,
) -> crate::Result<uuid::Uuid> {
    let payload = serde_json::to_value(mail).map_err(|e| crate::Error::Internal(e.into()))?;
    crate::outbox::enqueue(conn, MAIL_TOPIC, aggregate_id, &payload).await
}

/// Delivers the outbox's [`MailEvent`]s with a [`Mailer`]; a failed send is
/// an error, so the relay retries it with backoff. The event id becomes the
/// Message-ID, so a message sent twice (the send succeeded, recording it
/// did not) is recognisably the same one.
pub struct MailSink {
    mailer: Mailer,
}

impl MailSink {
    pub fn new(settings: &MailSettings) -> anyhow::Result<MailSink> {
        Ok(MailSink { mailer: Mailer::new(settings)? })
    }
}

#[tonic::async_trait]
impl crate::outbox::Sink for MailSink {
    async fn deliver(&self, event: &prm_proto::outbox::v1::Event) -> anyhow::Result<()> {
        anyhow::ensure!(event.topic == MAIL_TOPIC, "the mail sink sends no `{}` events", event.topic);
        let mail: MailEvent = serde_json::from_str(&event.payload_json).context("mail event payload")?;
        let to: Mailbox = if mail.to_name.trim().is_empty() {
            mail.to_email.parse()
        } else {
            format!("{} <{}>", mail.to_name.replace(['<', '>', '"'], ""), mail.to_email).parse()
        }
        .with_context(|| format!("recipient `{}`", mail.to_email))?;
        let msg = self
            .mailer
            .message()
            .message_id(Some(format!("<{}@prm.localhost>", event.id)))
            .to(to)
            .subject(mail.subject)
            .body(mail.body)
            .context("building the message")?;
        self.mailer.send(msg).await?;
        Ok(())
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

    #[tokio::test]
    async fn a_mail_event_becomes_a_message_with_its_id() {
        use crate::outbox::Sink;
        let dir = crate::testing::TempDir::new("mail").unwrap();
        let sink = MailSink::new(&MailSettings { mail_dir: dir.0.clone(), ..Default::default() }).unwrap();
        let mail = MailEvent {
            to_email: "ann@example.com".into(),
            to_name: "Ann Lee".into(),
            subject: "Re: CS-000001".into(),
            body: "See http://localhost:8080/cases/1".into(),
        };
        let event = prm_proto::outbox::v1::Event {
            id: "0190-ab".into(),
            topic: MAIL_TOPIC.into(),
            payload_json: serde_json::to_string(&mail).unwrap(),
            ..Default::default()
        };
        sink.deliver(&event).await.unwrap();
        let file = std::fs::read_dir(&dir.0).unwrap().next().unwrap().unwrap().path();
        let text = std::fs::read_to_string(file).unwrap();
        assert!(
            text.contains("To: \"Ann Lee\" <ann@example.com>") || text.contains("To: Ann Lee <ann@example.com>"),
            "{text}"
        );
        assert!(text.contains("Message-ID: <0190-ab@prm.localhost>"), "{text}");
        assert!(sink.deliver(&prm_proto::outbox::v1::Event { topic: "x".into(), ..event }).await.is_err());
    }

    #[test]
    fn links_join_the_public_url_and_the_path() {
        let s = MailSettings { public_url: "https://prm.example/".into(), ..Default::default() };
        assert_eq!(s.link("/cases/42"), "https://prm.example/cases/42");
    }

    #[test]
    fn a_bad_smtp_url_is_refused_at_start() {
        let settings = MailSettings { smtp_url: Some("http://nope".into()), ..Default::default() };
        assert!(Mailer::new(&settings).is_err());
    }
}
