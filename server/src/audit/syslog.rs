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
    priority: u8,
    tag: String,
    prefix: String,
}

impl SyslogSink {
    pub fn from_options(options: &BTreeMap<String, String>) -> Result<SyslogSink, String> {
        let facility = options.get("facility").map(String::as_str).unwrap_or("AUTH");
        let code = facility_code(facility)
            .ok_or_else(|| format!("facility {facility:?} is not a syslog facility such as AUTH or LOCAL0"))?;
        let tag = options.get("tag").filter(|t| !t.is_empty()).cloned().unwrap_or_else(|| "arcanum".into());
        if tag.chars().any(|c| c.is_whitespace() || c.is_control() || c == ':') {
            return Err(format!("tag {tag:?} must not contain spaces, control characters or ':'"));
        }
        let socket =
            connect().map_err(|e| format!("cannot reach the local syslog daemon ({}): {e}", SOCKETS.join(", ")))?;
        Ok(SyslogSink { socket, priority: code * 8 + SEVERITY_INFO, tag, prefix: prefix(options) })
    }
}

fn connect() -> io::Result<UnixDatagram> {
    let mut last = io::Error::new(io::ErrorKind::NotFound, "no syslog socket");
    for path in SOCKETS {
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
        self.socket = connect()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facilities() {
        assert_eq!(facility_code("auth"), Some(4));
        assert_eq!(facility_code("LOCAL7"), Some(23));
        assert_eq!(facility_code("LOCAL8"), None);
        assert_eq!(facility_code("nope"), None);
    }
}
