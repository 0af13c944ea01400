//! Stream connections at their edges: a peer that sends and closes at once.

mod common;
use common::*;
use nanomsg::abi::*;
use std::io::Write;

/// A peer that writes the SP handshake and a message and closes, all before
/// we read anything: the message must still be delivered.
#[test]
fn message_arriving_with_handshake_and_close_is_delivered() {
    let pull = socket(NN_PULL);
    set_int(pull, NN_SOL_SOCKET, NN_RCVTIMEO, 3000);
    bind(pull, "tcp://127.0.0.1:13885");
    for i in 0..20u8 {
        let mut c = std::net::TcpStream::connect("127.0.0.1:13885").unwrap();
        let mut bytes = vec![0, b'S', b'P', 0, 0, 80, 0, 0]; // PUSH
        bytes.extend(3u64.to_be_bytes());
        bytes.extend([b'm', b'-', i]);
        c.write_all(&bytes).unwrap();
        drop(c);
        assert_eq!(recv(pull), vec![b'm', b'-', i]);
    }
    close(pull);
}
