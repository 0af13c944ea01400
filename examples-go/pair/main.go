// The "Message Queues" article's PAIR program, in Go as the article has
// it, on the nanomsg C API (this library) through cgo instead of mangos.
// Same command line and output as examples-c/pair.c:
//
//	pair 0 "tcp://localhost:54545"      (first terminal: listens)
//	pair 1 "tcp://localhost:54545"      (second terminal: cannot listen, dials)
//
// Each node sends three messages and receives three, waiting at most 10 s
// for each, a second apart. Build: go build (pkg-config must find
// nanomsg.pc; see examples-go/README.md).
package main

/*
#cgo pkg-config: nanomsg
#include <stdlib.h>
#include <nanomsg/nn.h>
#include <nanomsg/pair.h>

static int set_int_option(int s, int level, int option, int value) {
    return nn_setsockopt(s, level, option, &value, sizeof value);
}

static int send_bytes(int s, const void *buf, size_t len) {
    return nn_send(s, buf, len, 0);
}

// Zero-copy receive: the message (free it with nn_freemsg) and its length
// in *len, or NULL with *len < 0.
static void *receive(int s, int *len) {
    void *msg = NULL;
    *len = nn_recv(s, &msg, NN_MSG, 0);
    return *len < 0 ? NULL : msg;
}
*/
import "C"

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unsafe"
)

const (
	messages = 3
	deadline = 10 * time.Second
)

// logLine prints one line after the time, as the C example does.
func logLine(format string, args ...interface{}) {
	now := time.Now()
	fmt.Printf("[%s] %s\n", now.Format("15:04:05.000"), fmt.Sprintf(format, args...))
}

// lastError is nanomsg's errno as an error with nn_strerror's text.
func lastError() error {
	return errors.New(C.GoString(C.nn_strerror(C.nn_errno())))
}

func die(node int, what string, err error) {
	logLine("Node %d %s: %s", node, what, err)
	os.Exit(1)
}

func main() {
	if len(os.Args) < 3 || (os.Args[1] != "0" && os.Args[1] != "1") {
		fmt.Fprintf(os.Stderr, "Usage: %s 0|1 <url>\n", filepath.Base(os.Args[0]))
		os.Exit(2)
	}
	node := int(os.Args[1][0] - '0')
	url := os.Args[2]

	sock := C.nn_socket(C.AF_SP, C.NN_PAIR)
	if sock < 0 {
		die(node, "cannot get a PAIR socket", lastError())
	}
	ms := C.int(deadline / time.Millisecond)
	for _, opt := range []C.int{C.NN_RCVTIMEO, C.NN_SNDTIMEO} {
		if C.set_int_option(sock, C.NN_SOL_SOCKET, opt, ms) < 0 {
			die(node, "cannot set the deadlines", lastError())
		}
	}

	curl := C.CString(url)
	defer C.free(unsafe.Pointer(curl))
	// Listen if we can (we are first), otherwise dial whoever listens.
	if C.nn_bind(sock, curl) < 0 {
		logLine("Node %d cannot listen on socket '%s': %s", node, url, lastError())
		logLine("Trying to dial instead")
		if C.nn_connect(sock, curl) < 0 {
			die(node, "cannot dial", lastError())
		}
	}

	for i := 0; i < messages; i++ {
		out := fmt.Sprintf("message %d from node %d.", i, node)
		logLine("Node %d sends %s", node, out)
		cout := C.CString(out)
		rc := C.send_bytes(sock, unsafe.Pointer(cout), C.size_t(len(out)))
		C.free(unsafe.Pointer(cout))
		if rc < 0 {
			die(node, "cannot send", lastError())
		}

		var n C.int
		msg := C.receive(sock, &n)
		if msg == nil {
			die(node, "cannot receive", lastError())
		}
		in := strings.TrimSuffix(C.GoStringN((*C.char)(msg), n), "\x00")
		C.nn_freemsg(msg)
		logLine("Node %d received %s", node, in)

		time.Sleep(time.Second)
	}

	if C.nn_close(sock) < 0 {
		die(node, "cannot close the socket", lastError())
	}
	logLine("Node %d: Done.", node)
}
