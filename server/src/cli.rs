//! The command line: `arcanum server` (with `--config` or `--dev`) and `arcanum version`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::server::{Mode, run};

#[derive(Parser)]
#[command(name = "arcanum", version = crate::core::VERSION, about = "A Vault/OpenBao-compatible secrets manager")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the server.
    Server {
        /// HCL configuration file (storage, listeners, ui, api_addr).
        #[arg(long, value_name = "FILE", required_unless_present = "dev", conflicts_with = "dev")]
        config: Option<PathBuf>,
        /// Start initialised and unsealed, on a throw-away SQLite file.
        #[arg(long)]
        dev: bool,
        /// Dev mode: use this as the root token instead of a random one.
        #[arg(long, value_name = "ID", requires = "dev")]
        dev_root_token_id: Option<String>,
        /// Dev mode: the address to listen on.
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8200", requires = "dev")]
        dev_listen_address: SocketAddr,
    },
    /// Print the version.
    Version,
}

pub fn run_cli() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Version => {
            println!("Arcanum v{} (API compatible with OpenBao {})", env!("CARGO_PKG_VERSION"), crate::core::VERSION);
            ExitCode::SUCCESS
        }
        Command::Server { config, dev, dev_root_token_id, dev_listen_address } => {
            init_tracing();
            let mode = if dev {
                Mode::Dev { root_token_id: dev_root_token_id, listen: dev_listen_address }
            } else {
                match config {
                    Some(path) => Mode::Config(path),
                    None => {
                        eprintln!("Error: either --config FILE or --dev is required");
                        return ExitCode::from(2);
                    }
                }
            };
            let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
                Ok(runtime) => runtime,
                Err(e) => {
                    eprintln!("Error: cannot start the async runtime: {e}");
                    return ExitCode::FAILURE;
                }
            };
            match runtime.block_on(run(mode)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(message) => {
                    eprintln!("Error: {message}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("ARCANUM_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi).try_init();
}
