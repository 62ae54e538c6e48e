//! Connecting to a PostgreSQL store, in the clear or over TLS.
//!
//! The URL's `sslmode` decides (the `postgres` crate parses it): `require` connects over TLS
//! (rustls, the `ring` provider) and **verifies the server's certificate** against the Mozilla
//! roots (`webpki-roots`) plus the PEM certificates of the file named by `sslrootcert` in the
//! URL, when given (an internal authority, or a self-signed server certificate). `disable`
//! and `prefer` (the default) connect in the clear, as before: a store URL that worked keeps
//! working. libpq's `verify-ca` and `verify-full` are not accepted by the client's parser;
//! `require` here already verifies the certificate and the host name.

use std::path::PathBuf;
use std::sync::Arc;

use postgres::config::SslMode;

/// Where and how to connect.
pub(crate) struct PgTarget {
    config: postgres::Config,
    root_cert: Option<PathBuf>,
}

/// Why a connection could not be made.
pub(crate) enum ConnectError {
    /// The database or the network said no (the client's error).
    Pg(postgres::Error),
    /// The TLS setup failed before connecting (a certificate file).
    Setup(String),
}

impl PgTarget {
    /// Parse a `postgres://` URL or a `key=value` string (with `sslrootcert=FILE` taken out
    /// for the TLS setup).
    pub(crate) fn parse(url: &str) -> Result<PgTarget, String> {
        let (rest, root_cert) = take_param(url, "sslrootcert");
        match take_param(&rest, "sslmode").1.as_deref() {
            Some(m @ ("verify-ca" | "verify-full")) => {
                return Err(format!(
                    "sslmode={m} is not supported: use sslmode=require, which verifies the \
                     server's certificate and host name (with sslrootcert=FILE for an internal \
                     certificate authority)"
                ))
            }
            Some(m) if !["disable", "prefer", "require"].contains(&m) => {
                return Err(format!(
                    "sslmode={m} is not a TLS mode: use disable, prefer or require"
                ))
            }
            _ => {}
        }
        let config: postgres::Config = rest
            .parse()
            .map_err(|e| format!("the PostgreSQL URL does not parse: {e}"))?;
        if root_cert.is_some() && config.get_ssl_mode() != SslMode::Require {
            return Err(
                "the PostgreSQL URL names an sslrootcert but does not say sslmode=require".into(),
            );
        }
        Ok(PgTarget {
            config,
            root_cert: root_cert.map(PathBuf::from),
        })
    }

    /// Whether the URL asks for TLS.
    pub(crate) fn requires_tls(&self) -> bool {
        self.config.get_ssl_mode() == SslMode::Require
    }

    /// Connect (blocking: the client runs a runtime of its own).
    pub(crate) fn connect(self) -> Result<postgres::Client, ConnectError> {
        if !self.requires_tls() {
            return self
                .config
                .connect(postgres::NoTls)
                .map_err(ConnectError::Pg);
        }
        let mut roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        if let Some(path) = &self.root_cert {
            use rustls::pki_types::pem::PemObject;
            use rustls::pki_types::CertificateDer;
            let shown = path.display();
            let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
                .and_then(|it| it.collect::<Result<Vec<_>, _>>())
                .map_err(|e| ConnectError::Setup(format!("sslrootcert {shown}: {e}")))?;
            if certs.is_empty() {
                return Err(ConnectError::Setup(format!(
                    "sslrootcert {shown}: no PEM certificate in the file"
                )));
            }
            for c in certs {
                roots
                    .add(c)
                    .map_err(|e| ConnectError::Setup(format!("sslrootcert {shown}: {e}")))?;
            }
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| ConnectError::Setup(format!("TLS setup: {e}")))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        self.config
            .connect(tokio_postgres_rustls::MakeRustlsConnect::new(tls))
            .map_err(ConnectError::Pg)
    }
}

/// `url` without the parameter `key`, and its value (percent-decoded in a URL). The other
/// parameters are kept as written.
fn take_param(url: &str, key: &str) -> (String, Option<String>) {
    let prefix = format!("{key}=");
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let Some((base, query)) = url.split_once('?') else {
            return (url.to_string(), None);
        };
        let mut value = None;
        let kept: Vec<&str> = query
            .split('&')
            .filter(|p| match p.strip_prefix(&prefix) {
                Some(v) => {
                    value = Some(
                        percent_encoding::percent_decode_str(v)
                            .decode_utf8_lossy()
                            .to_string(),
                    );
                    false
                }
                None => true,
            })
            .collect();
        let rest = if kept.is_empty() {
            base.to_string()
        } else {
            format!("{base}?{}", kept.join("&"))
        };
        return (rest, value);
    }
    let mut value = None;
    let kept: Vec<&str> = url
        .split_whitespace()
        .filter(|p| match p.strip_prefix(&prefix) {
            Some(v) => {
                value = Some(v.trim_matches('\'').to_string());
                false
            }
            None => true,
        })
        .collect();
    (kept.join(" "), value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sslrootcert_is_taken_out_and_the_rest_kept_as_written() {
        let (rest, v) = take_param(
            "postgres://u@db:5432/g?sslmode=require&sslrootcert=%2Fetc%2Fca%20x.pem&options=-c%20search_path%3Ds",
            "sslrootcert",
        );
        assert_eq!(
            rest,
            "postgres://u@db:5432/g?sslmode=require&options=-c%20search_path%3Ds"
        );
        assert_eq!(v.as_deref(), Some("/etc/ca x.pem"));
        let (rest, v) = take_param("host=db sslrootcert=/ca.pem sslmode=require", "sslrootcert");
        assert_eq!(
            (rest.as_str(), v.as_deref()),
            ("host=db sslmode=require", Some("/ca.pem"))
        );
        let (rest, v) = take_param("postgres://u@db/g", "sslrootcert");
        assert_eq!((rest.as_str(), v), ("postgres://u@db/g", None));
    }

    #[test]
    fn sslmode_is_read_and_a_bad_one_or_a_lone_root_cert_is_a_clear_error() {
        assert!(
            PgTarget::parse("postgres://u@db/g?sslmode=require").is_ok_and(|t| t.requires_tls())
        );
        assert!(PgTarget::parse("postgres://u@db/g").is_ok_and(|t| !t.requires_tls()));
        assert!(PgTarget::parse("host=db sslmode=disable").is_ok_and(|t| !t.requires_tls()));
        for (mode, says) in [
            ("verify-full", "use sslmode=require"),
            ("on", "not a TLS mode"),
        ] {
            let err = PgTarget::parse(&format!("postgres://u@db/g?sslmode={mode}"))
                .err()
                .unwrap_or_default();
            assert!(err.contains(says), "{err}");
        }
        let err = PgTarget::parse("host=db sslmode=verify-ca")
            .err()
            .unwrap_or_default();
        assert!(err.contains("use sslmode=require"), "{err}");
        let err = PgTarget::parse("postgres://u@db/g?sslrootcert=/ca.pem")
            .err()
            .unwrap_or_default();
        assert!(err.contains("sslmode=require"), "{err}");
    }

    #[test]
    fn a_missing_or_empty_root_cert_file_is_named() {
        let dir = tempfile::tempdir().expect("dir");
        let missing = dir.path().join("missing.pem");
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").expect("write");
        for (file, says) in [(&missing, "missing.pem"), (&empty, "no PEM certificate")] {
            let url = format!(
                "postgres://u@127.0.0.1:9/g?sslmode=require&sslrootcert={}",
                file.display()
            );
            let target = PgTarget::parse(&url).expect("parses");
            match target.connect() {
                Err(ConnectError::Setup(m)) => assert!(m.contains(says), "{m}"),
                Err(ConnectError::Pg(e)) => panic!("connected before reading the file: {e}"),
                Ok(_) => panic!("connected"),
            }
        }
    }
}
