//! A TCP proxy in front of PostgreSQL that a test can cut and restore, to see the server
//! through a database outage without stopping the shared database server.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

pub struct Proxy {
    pub port: u16,
    up: Arc<AtomicBool>,
    open: Arc<Mutex<Vec<TcpStream>>>,
}

impl Proxy {
    /// Starts a proxy to `upstream` (`host:port`).
    pub fn start(upstream: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        let port = listener.local_addr().expect("address").port();
        let up = Arc::new(AtomicBool::new(true));
        let open: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
        let (accept_up, accept_open) = (up.clone(), open.clone());
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                if !accept_up.load(Ordering::SeqCst) {
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                }
                let Ok(server) = TcpStream::connect(&upstream) else {
                    continue;
                };
                if let (Ok(c), Ok(s)) = (client.try_clone(), server.try_clone()) {
                    let mut open = accept_open.lock().unwrap_or_else(|p| p.into_inner());
                    open.push(c);
                    open.push(s);
                }
                pipe(
                    client.try_clone().expect("clone"),
                    server.try_clone().expect("clone"),
                );
                pipe(server, client);
            }
        });
        Proxy { port, up, open }
    }

    /// For a PostgreSQL URL, a proxy to its server and the same URL through the proxy.
    pub fn for_postgres(url: &str) -> (Proxy, String) {
        let after_scheme = url.find("//").map_or(0, |i| i + 2);
        let rest = &url[after_scheme..];
        let host_start = rest.find('@').map_or(0, |i| i + 1);
        let host_end = rest[host_start..]
            .find('/')
            .map_or(rest.len(), |i| host_start + i);
        let host = &rest[host_start..host_end];
        let upstream = if host.contains(':') {
            host.to_owned()
        } else {
            format!("{host}:5432")
        };
        let proxy = Proxy::start(upstream);
        let proxied = format!(
            "{}{}127.0.0.1:{}{}",
            &url[..after_scheme],
            &rest[..host_start],
            proxy.port,
            &rest[host_end..]
        );
        (proxy, proxied)
    }

    /// The database "goes down": open connections are cut and new ones refused.
    pub fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        for stream in self
            .open
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .drain(..)
        {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }

    /// The database is back.
    pub fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

fn pipe(mut from: TcpStream, mut to: TcpStream) {
    std::thread::spawn(move || {
        let mut buffer = [0u8; 16 * 1024];
        loop {
            match from.read(&mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if to.write_all(&buffer[..n]).is_err() {
                        break;
                    }
                }
            }
        }
        let _ = to.shutdown(Shutdown::Both);
    });
}
