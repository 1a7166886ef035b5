//! The `socket` device: each entry as a JSON line over TCP (reconnecting when the peer
//! went away) or as one UDP datagram.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs, UdpSocket};
use std::time::Duration;

use super::device::Sink;
use super::options::prefix;
use super::records::AuditRecord;

pub struct SocketSink {
    address: SocketAddr,
    udp: bool,
    timeout: Duration,
    tcp: Option<TcpStream>,
    socket: Option<UdpSocket>,
    prefix: String,
}

impl SocketSink {
    pub fn from_options(options: &BTreeMap<String, String>) -> Result<SocketSink, String> {
        let address = options
            .get("address")
            .filter(|a| !a.is_empty())
            .ok_or("address is required for the socket audit device")?;
        let resolved = address
            .to_socket_addrs()
            .ok()
            .and_then(|mut addrs| addrs.next())
            .ok_or_else(|| format!("address {address:?} is not a host:port this server can resolve"))?;
        let udp = match options.get("socket_type").map(String::as_str) {
            None | Some("") | Some("tcp") => false,
            Some("udp") => true,
            Some(other) => return Err(format!("socket_type {other:?} is not supported; use tcp or udp")),
        };
        let timeout = match options.get("write_timeout") {
            Some(text) => crate::framework::parse_duration_seconds(text)
                .ok()
                .filter(|s| *s > 0)
                .map(Duration::from_secs)
                .ok_or_else(|| format!("write_timeout {text:?} is not a duration such as 2s"))?,
            None => Duration::from_secs(2),
        };
        let mut sink = SocketSink { address: resolved, udp, timeout, tcp: None, socket: None, prefix: prefix(options) };
        sink.connect().map_err(|e| format!("cannot reach the audit socket at {address}: {e}"))?;
        Ok(sink)
    }

    fn connect(&mut self) -> io::Result<()> {
        if self.udp {
            let local = if self.address.is_ipv4() { "0.0.0.0:0" } else { "[::]:0" };
            let socket = UdpSocket::bind(local)?;
            socket.connect(self.address)?;
            socket.set_write_timeout(Some(self.timeout))?;
            self.socket = Some(socket);
        } else {
            let stream = TcpStream::connect_timeout(&self.address, self.timeout)?;
            stream.set_write_timeout(Some(self.timeout))?;
            stream.set_nodelay(true)?;
            self.tcp = Some(stream);
        }
        Ok(())
    }

    fn send(&mut self, batch: &[&AuditRecord]) -> io::Result<()> {
        if self.tcp.is_none() && self.socket.is_none() {
            self.connect()?;
        }
        if let Some(socket) = &self.socket {
            for entry in batch {
                socket.send(format!("{}{}", self.prefix, entry.entry).as_bytes())?;
            }
            return Ok(());
        }
        let mut buffer = Vec::new();
        for entry in batch {
            buffer.extend_from_slice(self.prefix.as_bytes());
            buffer.extend_from_slice(entry.entry.as_bytes());
            buffer.push(b'\n');
        }
        match self.tcp.as_mut() {
            Some(stream) => stream.write_all(&buffer),
            None => Err(io::Error::other("not connected")),
        }
    }
}

impl Sink for SocketSink {
    /// One retry on a fresh connection: a peer that restarted is not a failure.
    fn write(&mut self, batch: &[&AuditRecord]) -> io::Result<()> {
        if self.send(batch).is_ok() {
            return Ok(());
        }
        self.tcp = None;
        self.socket = None;
        self.send(batch).inspect_err(|_| {
            self.tcp = None;
            self.socket = None;
        })
    }

    fn reopen(&mut self) -> io::Result<()> {
        self.tcp = None;
        self.socket = None;
        self.connect()
    }
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead, BufReader};
    use std::net::TcpListener;

    use super::*;

    #[test]
    fn tcp_lines_arrive_and_a_gone_peer_is_an_error() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let options: BTreeMap<String, String> = [("address".to_string(), address)].into();
        let mut sink = SocketSink::from_options(&options).unwrap();
        let (peer, _) = listener.accept().unwrap();
        sink.write(&[&AuditRecord::sample("r", "{\"a\":1}")]).unwrap();
        let mut line = String::new();
        BufReader::new(&peer).read_line(&mut line).unwrap();
        assert_eq!(line, "{\"a\":1}\n");
        drop(peer);
        drop(listener);
        // The first write after the peer left may still be buffered by the kernel;
        // within a few writes the broken connection shows, and reconnecting fails.
        let failed = (0..20).any(|_| sink.write(&[&AuditRecord::sample("r", "x")]).is_err());
        assert!(failed);
    }

    #[test]
    fn udp_sends_one_datagram_per_entry_with_the_prefix() {
        let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
        let options: BTreeMap<String, String> = [
            ("address".to_string(), peer.local_addr().unwrap().to_string()),
            ("socket_type".to_string(), "udp".to_string()),
            ("prefix".to_string(), "arcanum:".to_string()),
        ]
        .into();
        let mut sink = SocketSink::from_options(&options).unwrap();
        sink.write(&[&AuditRecord::sample("a", "{\"n\":1}"), &AuditRecord::sample("b", "{\"n\":2}")]).unwrap();
        let mut buffer = [0u8; 64];
        for expected in ["arcanum:{\"n\":1}", "arcanum:{\"n\":2}"] {
            let n = peer.recv(&mut buffer).unwrap();
            assert_eq!(std::str::from_utf8(&buffer[..n]).unwrap(), expected);
        }
    }

    #[test]
    fn bad_options_are_named() {
        let options: BTreeMap<String, String> = [("address".to_string(), "nowhere".to_string())].into();
        assert!(SocketSink::from_options(&options).err().unwrap().contains("nowhere"));
        let options: BTreeMap<String, String> =
            [("address".to_string(), "127.0.0.1:9".to_string()), ("socket_type".to_string(), "sctp".to_string())]
                .into();
        assert!(SocketSink::from_options(&options).err().unwrap().contains("sctp"));
    }
}
