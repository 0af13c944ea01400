// Command gocheck does a REQ/REP round trip through libnanomsg from Go
// (cgo, flags from `pkg-config nanomsg`), against a peer in another
// process, e.g. the C program c_peer.c beside it:
//
//	gocheck -mode req -url tcp://127.0.0.1:5555 -n 3 -expect-lib DIR
//	gocheck -mode rep -url ipc:///tmp/x.ipc -n 3
//
// The REQ side sends "request <i> from go", the REP side answers
// "reply to: <request>"; each side checks what it gets.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"time"
)

const replyPrefix = "reply to: "

func setup(proto int, timeoutMs int) (*Socket, error) {
	s, err := NewSocket(AF_SP, proto)
	if err != nil {
		return nil, err
	}
	for _, opt := range []int{NN_RCVTIMEO, NN_SNDTIMEO} {
		if err := s.SetInt(NN_SOL_SOCKET, opt, timeoutMs); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// RunReq connects a REQ socket to url and does n round trips.
func RunReq(url string, n, timeoutMs int, who string) error {
	s, err := setup(NN_REQ, timeoutMs)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.Connect(url); err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		req := fmt.Sprintf("request %d from %s", i, who)
		if err := s.Send([]byte(req)); err != nil {
			return err
		}
		rep, err := s.Recv()
		if err != nil {
			return err
		}
		if string(rep) != replyPrefix+req {
			return fmt.Errorf("REQ: got %q, want %q", rep, replyPrefix+req)
		}
		fmt.Printf("REQ: %q -> %q\n", req, rep)
	}
	return nil
}

// RunRep binds a REP socket to url and answers n requests.
func RunRep(url string, n, timeoutMs int) error {
	s, err := setup(NN_REP, timeoutMs)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.Bind(url); err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		req, err := s.Recv()
		if err != nil {
			return err
		}
		if !strings.HasPrefix(string(req), fmt.Sprintf("request %d from ", i)) {
			return fmt.Errorf("REP: unexpected request %q", req)
		}
		if err := s.Send(append([]byte(replyPrefix), req...)); err != nil {
			return err
		}
		fmt.Printf("REP: answered %q\n", req)
	}
	// nanomsg does not linger: let the last reply leave before closing.
	time.Sleep(200 * time.Millisecond)
	return nil
}

func main() {
	mode := flag.String("mode", "req", "req (client) or rep (server)")
	url := flag.String("url", "", "nanomsg address, e.g. tcp://127.0.0.1:5555")
	n := flag.Int("n", 3, "number of round trips")
	timeout := flag.Int("timeout", 10000, "send/receive timeout in milliseconds")
	expectLib := flag.String("expect-lib", "", "fail unless libnanomsg is loaded from this directory")
	flag.Parse()
	if *url == "" {
		fmt.Fprintln(os.Stderr, "gocheck: -url is required")
		os.Exit(2)
	}
	lib, err := CheckLibrary(*expectLib)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gocheck: wrong library:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "gocheck: libnanomsg loaded from %s\n", lib)
	switch *mode {
	case "req":
		err = RunReq(*url, *n, *timeout, "go")
	case "rep":
		err = RunRep(*url, *n, *timeout)
	default:
		fmt.Fprintln(os.Stderr, "gocheck: -mode must be req or rep")
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gocheck:", err)
		os.Exit(1)
	}
	fmt.Printf("gocheck: %s: %d round trips over %s OK\n", *mode, *n, *url)
}
