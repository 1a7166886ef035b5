//! The `syslog` device: each entry as one RFC 3164 message to the local syslog daemon
//! over its Unix socket.

use std::collections::BTreeMap;
use std::io;
use std::os::unix::net::UnixDatagram;

use super::device::Sink;
use super::options::prefix;
use super::records::AuditRecord;

const SOCKETS: [&str; 3] = ["/dev/log", "/var/run/syslog", "/var/run/log"];
const SEVERITY_INFO: u8 = 6;

pub struct SyslogSink {
    socket: UnixDatagram,
    /// Where the daemon listens: the usual places, or a test's socket.
    paths: Vec<String>,
    priority: u8,
    tag: String,
    prefix: String,
}

impl SyslogSink {
    pub fn from_options(options: &BTreeMap<String, String>) -> Result<SyslogSink, String> {
        Self::at(options, SOCKETS.iter().map(|p| p.to_string()).collect())
    }

    fn at(options: &BTreeMap<String, String>, paths: Vec<String>) -> Result<SyslogSink, String> {
        let facility = options.get("facility").map(String::as_str).unwrap_or("AUTH");
        let code = facility_code(facility)
            .ok_or_else(|| format!("facility {facility:?} is not a syslog facility such as AUTH or LOCAL0"))?;
        let tag = options.get("tag").filter(|t| !t.is_empty()).cloned().unwrap_or_else(|| "arcanum".into());
        if tag.chars().any(|c| c.is_whitespace() || c.is_control() || c == ':') {
            return Err(format!("tag {tag:?} must not contain spaces, control characters or ':'"));
        }
        let socket =
            connect(&paths).map_err(|e| format!("cannot reach the local syslog daemon ({}): {e}", paths.join(", ")))?;
        Ok(SyslogSink { socket, paths, priority: code * 8 + SEVERITY_INFO, tag, prefix: prefix(options) })
    }
}

fn connect(paths: &[String]) -> io::Result<UnixDatagram> {
    let mut last = io::Error::new(io::ErrorKind::NotFound, "no syslog socket");
    for path in paths {
        let socket = UnixDatagram::unbound()?;
        match socket.connect(path) {
            Ok(()) => return Ok(socket),
            Err(e) => last = e,
        }
    }
    Err(last)
}

fn facility_code(name: &str) -> Option<u8> {
    let names = ["KERN", "USER", "MAIL", "DAEMON", "AUTH", "SYSLOG", "LPR", "NEWS", "UUCP", "CRON", "AUTHPRIV", "FTP"];
    let upper = name.to_ascii_uppercase();
    if let Some(index) = names.iter().position(|n| *n == upper) {
        return Some(index as u8);
    }
    let local: u8 = upper.strip_prefix("LOCAL")?.parse().ok().filter(|n| *n <= 7)?;
    Some(16 + local)
}

impl Sink for SyslogSink {
    fn write(&mut self, batch: &[&AuditRecord]) -> io::Result<()> {
        let pid = std::process::id();
        for entry in batch {
            let message = format!("<{}>{}[{pid}]: {}{}", self.priority, self.tag, self.prefix, entry.entry);
            self.socket.send(message.as_bytes())?;
        }
        Ok(())
    }

    fn reopen(&mut self) -> io::Result<()> {
        self.socket = connect(&self.paths)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_arrive_as_rfc3164_messages_and_a_missing_daemon_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log");
        let daemon = UnixDatagram::bind(&path).unwrap();
        let options: BTreeMap<String, String> =
            [("facility".to_string(), "local3".to_string()), ("tag".to_string(), "vault".to_string())].into();
        let mut sink = SyslogSink::at(&options, vec![path.display().to_string()]).unwrap();
        sink.write(&[&AuditRecord::sample("r", "{\"type\":\"request\"}")]).unwrap();
        let mut buffer = [0u8; 256];
        let n = daemon.recv(&mut buffer).unwrap();
        let message = std::str::from_utf8(&buffer[..n]).unwrap();
        // LOCAL3 (19) * 8 + info (6) = 158.
        assert_eq!(message, format!("<158>vault[{}]: {{\"type\":\"request\"}}", std::process::id()));

        let err =
            SyslogSink::at(&BTreeMap::new(), vec![dir.path().join("nothing").display().to_string()]).err().unwrap();
        assert!(err.contains("cannot reach the local syslog daemon"), "{err}");
        let bad_tag: BTreeMap<String, String> = [("tag".to_string(), "a b".to_string())].into();
        assert!(SyslogSink::at(&bad_tag, vec![]).err().unwrap().contains("tag"));
    }

    #[test]
    fn facilities() {
        assert_eq!(facility_code("auth"), Some(4));
        assert_eq!(facility_code("LOCAL7"), Some(23));
        assert_eq!(facility_code("LOCAL8"), None);
        assert_eq!(facility_code("nope"), None);
    }
}
