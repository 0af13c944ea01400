//! Two threads receiving on one socket share its messages: when one of
//! them reads several messages off the connection at once and takes one,
//! the other, waiting, takes the next without waiting for more data to
//! arrive on the connection.

mod common;

use std::sync::mpsc;
use std::time::Duration;

use common::*;

const PORT: u16 = 13830;

#[test]
fn a_waiting_receiver_takes_what_another_read_ahead() {
    for url in [format!("tcp://127.0.0.1:{PORT}"), ipc_url("shared")] {
        let (pull, push) = pull_push_over(&url, 5000);
        // Connected, and both receivers' first receive over.
        send(push, b"warm-up");
        assert_eq!(recv(pull), b"warm-up");

        let (got_tx, got_rx) = mpsc::channel();
        let receivers: Vec<_> = (0..2)
            .map(|_| {
                let got_tx = got_tx.clone();
                std::thread::spawn(move || {
                    // Each takes one message, reports it and then stays
                    // busy (not receiving) until the test ends.
                    let r = try_recv(pull);
                    got_tx.send(r).unwrap();
                })
            })
            .collect();
        // Both receivers are blocked waiting by now.
        std::thread::sleep(Duration::from_millis(100));
        // A burst that arrives in one piece: whoever reads it reads all.
        let burst: Vec<Vec<u8>> = (0..5u8).map(|i| vec![b'm', i]).collect();
        for m in &burst {
            send(push, m);
        }
        for n in 0..2 {
            let r = got_rx
                .recv_timeout(Duration::from_secs(3))
                .unwrap_or_else(|_| panic!("{url}: receiver {n} of 2 got nothing in 3 s"));
            assert!(
                r.is_ok_and(|m| burst.contains(&m)),
                "{url}: a receive failed"
            );
        }
        for r in receivers {
            r.join().unwrap();
        }
        close(push);
        close(pull);
    }
}
