//! A TCP proxy in front of PostgreSQL that a test can cut and restore, to see the server
//! through a database outage without stopping the shared database server.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;

pub struct Proxy {
    pub port: u16,
    up: Arc<AtomicBool>,
    open: Arc<Mutex<Open>>,
    accepting: Option<JoinHandle<()>>,
}

/// The proxied connections' sockets, so they can be cut; none is added once stopped.
#[derive(Default)]
struct Open {
    stopped: bool,
    streams: Vec<TcpStream>,
}

fn lock(open: &Mutex<Open>) -> MutexGuard<'_, Open> {
    open.lock().unwrap_or_else(|p| p.into_inner())
}

impl Proxy {
    /// Starts a proxy to `upstream` (`host:port`).
    pub fn start(upstream: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        let port = listener.local_addr().expect("address").port();
        let up = Arc::new(AtomicBool::new(true));
        let open: Arc<Mutex<Open>> = Arc::default();
        let (accept_up, accept_open) = (up.clone(), open.clone());
        let accepting = std::thread::spawn(move || {
            let mut pipes = Vec::new();
            for client in listener.incoming().flatten() {
                if lock(&accept_open).stopped {
                    break;
                }
                if !accept_up.load(Ordering::SeqCst) {
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                }
                let Ok(server) = TcpStream::connect(&upstream) else {
                    continue;
                };
                let (Ok(c), Ok(s)) = (client.try_clone(), server.try_clone()) else {
                    continue;
                };
                {
                    let mut open = lock(&accept_open);
                    if open.stopped {
                        let _ = client.shutdown(Shutdown::Both);
                        let _ = server.shutdown(Shutdown::Both);
                        break;
                    }
                    open.streams.push(c);
                    open.streams.push(s);
                }
                pipes.push(pipe(
                    client.try_clone().expect("clone"),
                    server.try_clone().expect("clone"),
                ));
                pipes.push(pipe(server, client));
            }
            for pipe in pipes {
                let _ = pipe.join();
            }
        });
        Proxy {
            port,
            up,
            open,
            accepting: Some(accepting),
        }
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
        for stream in lock(&self.open).streams.drain(..) {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }

    /// The database is back.
    pub fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

impl Drop for Proxy {
    /// Cuts every connection and waits for the proxy's threads to end.
    fn drop(&mut self) {
        {
            let mut open = lock(&self.open);
            open.stopped = true;
            for stream in open.streams.drain(..) {
                let _ = stream.shutdown(Shutdown::Both);
            }
        }
        // Wakes the accepting thread, which then sees that it is stopped.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(accepting) = self.accepting.take() {
            let _ = accepting.join();
        }
    }
}

fn pipe(mut from: TcpStream, mut to: TcpStream) -> JoinHandle<()> {
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
    })
}
