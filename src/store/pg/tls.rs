//! TLS to the team database, with the URL's `sslmode` and `sslrootcert` read as libpq reads
//! them:
//!
//! | sslmode       | encrypted                    | certificate checked                 |
//! |---------------|------------------------------|-------------------------------------|
//! | `disable`     | never                        | —                                   |
//! | `prefer`      | when the server offers it    | no (as `verify-ca` with a CA file)  |
//! | `require`     | always                       | no (as `verify-ca` with a CA file)  |
//! | `verify-ca`   | always                       | signed by a CA in the bundle        |
//! | `verify-full` | always                       | that, and issued for the host name  |
//!
//! `sslrootcert=FILE` names a PEM bundle of CAs (for Amazon RDS, the global bundle);
//! `sslrootcert=system`, or none, trusts the Mozilla roots. The TLS itself is rustls, through
//! `tokio-postgres-rustls`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{ClientConfig, WebPkiServerVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::PgError;

/// The five `sslmode` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::Display, strum::EnumString)]
#[strum(serialize_all = "kebab-case")]
pub enum SslMode {
    /// Plain text.
    Disable,
    /// TLS when the server offers it.
    Prefer,
    /// TLS always, the certificate unchecked.
    Require,
    /// TLS, the certificate signed by a trusted CA.
    VerifyCa,
    /// TLS, the certificate signed by a trusted CA and issued for the host.
    VerifyFull,
}

/// Where the trusted CAs come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RootCert {
    /// The Mozilla roots (`sslrootcert=system`, or nothing said).
    System,
    /// A PEM bundle.
    File(PathBuf),
}

/// What a connection's TLS is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsSettings {
    /// The mode asked for.
    pub mode: SslMode,
    /// The CAs trusted.
    pub root: RootCert,
    /// Whether `sslrootcert` was given at all.
    pub root_given: bool,
}

impl Default for TlsSettings {
    fn default() -> Self {
        TlsSettings {
            mode: SslMode::Prefer,
            root: RootCert::System,
            root_given: false,
        }
    }
}

/// How far a connection's certificate is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checked {
    /// Not at all.
    Nothing,
    /// Its CA.
    Ca,
    /// Its CA and its host name.
    Full,
}

impl TlsSettings {
    /// Reads `sslmode` and `sslrootcert` values as given (either may be absent).
    pub fn from_values(mode: Option<&str>, root: Option<&str>) -> Result<Self, PgError> {
        let mode = match mode.map(str::trim) {
            None | Some("") => SslMode::Prefer,
            Some(text) => text.parse().map_err(|_| PgError::Tls(format!(
                "sslmode '{text}' is not one of disable, prefer, require, verify-ca or verify-full"
            )))?,
        };
        let (root, root_given) = match root.map(str::trim) {
            None | Some("") => (RootCert::System, false),
            Some("system") => (RootCert::System, true),
            Some(path) => (RootCert::File(PathBuf::from(path)), true),
        };
        Ok(TlsSettings {
            mode,
            root,
            root_given,
        })
    }

    /// How far the certificate is checked: libpq checks the CA in `prefer` and `require`
    /// too when a CA file is named.
    pub fn checked(&self) -> Checked {
        match self.mode {
            SslMode::Disable => Checked::Nothing,
            SslMode::Prefer | SslMode::Require if self.root_given => Checked::Ca,
            SslMode::Prefer | SslMode::Require => Checked::Nothing,
            SslMode::VerifyCa => Checked::Ca,
            SslMode::VerifyFull => Checked::Full,
        }
    }

    /// The same settings with a relative CA path made absolute against `base`, so a saved
    /// workspace finds the file whatever folder it is opened from.
    pub fn anchored(mut self, base: &Path) -> Self {
        if let RootCert::File(path) = &self.root
            && path.is_relative()
        {
            self.root = RootCert::File(base.join(path));
        }
        self
    }

    /// The TLS connector for these settings; none for `disable`. A CA file that cannot be
    /// read or holds no PEM certificate is refused here.
    pub fn connector(&self) -> Result<Option<MakeRustlsConnect>, PgError> {
        if self.mode == SslMode::Disable {
            return Ok(None);
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| PgError::Tls(format!("TLS could not be set up: {e}")))?;
        let verifier: Arc<dyn ServerCertVerifier> = match self.checked() {
            Checked::Nothing => Arc::new(Unchecked(provider)),
            checked => {
                let roots = Arc::new(self.roots()?);
                let webpki = WebPkiServerVerifier::builder_with_provider(roots, provider)
                    .build()
                    .map_err(|e| PgError::Tls(format!("TLS could not be set up: {e}")))?;
                if checked == Checked::Full {
                    webpki
                } else {
                    Arc::new(AnyName(webpki))
                }
            }
        };
        let config = builder
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth();
        Ok(Some(MakeRustlsConnect::new(config)))
    }

    fn roots(&self) -> Result<RootCertStore, PgError> {
        let RootCert::File(path) = &self.root else {
            return Ok(RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            });
        };
        let shown = path.display();
        let bytes = crate::input::read(path, crate::input::MAX_SMALL_BYTES)
            .map_err(|e| PgError::Tls(format!("the CA file {shown} cannot be read: {e}")))?;
        let mut roots = RootCertStore::empty();
        for cert in CertificateDer::pem_slice_iter(&bytes) {
            let cert = cert.map_err(|e| {
                PgError::Tls(format!(
                    "the CA file {shown} is not a PEM certificate bundle ({e})"
                ))
            })?;
            roots.add(cert).map_err(|e| {
                PgError::Tls(format!(
                    "the CA file {shown} holds a certificate that cannot be used ({e})"
                ))
            })?;
        }
        if roots.is_empty() {
            return Err(PgError::Tls(format!(
                "the CA file {shown} is not a PEM certificate bundle: it holds no BEGIN CERTIFICATE block"
            )));
        }
        Ok(roots)
    }

    /// Where the trusted CAs come from, for messages.
    pub fn roots_shown(&self) -> String {
        match &self.root {
            RootCert::System => "the system's trusted CAs".to_string(),
            RootCert::File(path) => path.display().to_string(),
        }
    }
}

/// Accepts any certificate (`prefer` and `require` without a CA file), still checking that
/// the server holds the key of the certificate it shows.
#[derive(Debug)]
struct Unchecked(Arc<CryptoProvider>);

impl ServerCertVerifier for Unchecked {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// Checks the chain to a trusted CA but not the host name (`verify-ca`).
#[derive(Debug)]
struct AnyName(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for AnyName {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// One sentence for a failed TLS handshake, from the client's nested message: an unknown
/// CA or a certificate for another host names the setting to change.
pub fn handshake_reason(message: &str, settings: &TlsSettings, host: &str) -> Option<String> {
    let mode = settings.mode;
    if message.contains("UnknownIssuer") || message.contains("unknown issuer") {
        return Some(format!(
            "its certificate is not signed by a CA in {} (sslmode={mode}); name the server's CA bundle with sslrootcert=FILE (for Amazon RDS, the global bundle)",
            settings.roots_shown()
        ));
    }
    if message.contains("NotValidForName") || message.contains("not valid for name") {
        return Some(format!(
            "its certificate was not issued for the host name '{host}' (sslmode={mode}); connect by the name in its certificate"
        ));
    }
    if message.contains("server does not support TLS") {
        return Some(format!(
            "the server does not offer TLS, and sslmode={mode} requires it"
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_are_the_five_of_libpq_and_a_ca_file_makes_prefer_and_require_check_the_ca() {
        for (text, mode) in [
            ("disable", SslMode::Disable),
            ("prefer", SslMode::Prefer),
            ("require", SslMode::Require),
            ("verify-ca", SslMode::VerifyCa),
            ("verify-full", SslMode::VerifyFull),
        ] {
            let settings = TlsSettings::from_values(Some(text), None).unwrap();
            assert_eq!(settings.mode, mode);
            assert_eq!(settings.mode.to_string(), text);
        }
        for bad in ["allow", "VERIFY_FULL", "on", "verify"] {
            let error = TlsSettings::from_values(Some(bad), None).unwrap_err();
            assert!(error.to_string().contains("is not one of"), "{error}");
        }
        let default = TlsSettings::from_values(None, None).unwrap();
        assert_eq!(
            (default.mode, default.checked()),
            (SslMode::Prefer, Checked::Nothing)
        );
        let with_ca = TlsSettings::from_values(Some("require"), Some("ca.pem")).unwrap();
        assert_eq!(with_ca.checked(), Checked::Ca);
        assert_eq!(
            with_ca.anchored(Path::new("/etc/lockstep")).root,
            RootCert::File(PathBuf::from("/etc/lockstep/ca.pem"))
        );
    }

    #[test]
    fn a_ca_file_that_is_not_pem_is_refused_with_its_name() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("bundle.pem");
        std::fs::write(&file, "not a certificate\n").unwrap();
        let settings = TlsSettings::from_values(Some("verify-full"), file.to_str()).unwrap();
        let error = settings.connector().err().unwrap().to_string();
        assert!(
            error.contains("bundle.pem") && error.contains("PEM"),
            "{error}"
        );
        std::fs::write(
            &file,
            "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        assert!(settings.connector().is_err());
        assert!(TlsSettings::default().connector().unwrap().is_some());
        let off = TlsSettings::from_values(Some("disable"), None).unwrap();
        assert!(off.connector().unwrap().is_none());
    }
}
