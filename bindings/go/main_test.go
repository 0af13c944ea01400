package main

import (
	"errors"
	"os"
	"testing"
)

// The library under test is the one the tests run with.
func TestLoadedLibrary(t *testing.T) {
	lib, err := CheckLibrary(os.Getenv("NN_EXPECT_LIB_DIR"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("libnanomsg loaded from %s", lib)
}

// REQ and REP in the same process, over inproc.
func TestReqRepInproc(t *testing.T) {
	const url = "inproc://gocheck-test"
	const n = 5
	done := make(chan error, 1)
	rep, err := setup(NN_REP, 10000)
	if err != nil {
		t.Fatal(err)
	}
	defer rep.Close()
	if err := rep.Bind(url); err != nil {
		t.Fatal(err)
	}
	go func() {
		for i := 0; i < n; i++ {
			req, err := rep.Recv()
			if err == nil {
				err = rep.Send(append([]byte(replyPrefix), req...))
			}
			if err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	if err := RunReq(url, n, 10000, "go-test"); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// Errors come back through nn_errno / nn_strerror.
func TestBadSocket(t *testing.T) {
	s := &Socket{s: 4000}
	err := s.Send([]byte("x"))
	var nerr *Error
	if !errors.As(err, &nerr) {
		t.Fatalf("got %v, want an *Error", err)
	}
	if nerr.Errno != 9 || nerr.Msg != "Bad file descriptor" {
		t.Fatalf("got %v, want EBADF", nerr)
	}
}
