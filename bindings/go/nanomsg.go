package main

// A minimal cgo wrapper over the nanomsg C API: just what the REQ/REP
// round trip needs. Flags come from pkg-config, so PKG_CONFIG_PATH decides
// which nanomsg (headers and library) the program is built against.

/*
#cgo pkg-config: nanomsg
#cgo LDFLAGS: -ldl
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <nanomsg/nn.h>
#include <nanomsg/reqrep.h>

static int go_nn_setsockopt_int(int s, int level, int option, int value) {
    return nn_setsockopt(s, level, option, &value, sizeof value);
}

static int go_nn_send(int s, const void *buf, size_t len) {
    return nn_send(s, buf, len, 0);
}

// Zero-copy receive: returns the message (free it with nn_freemsg) and
// stores its length, or returns NULL with *len = -1.
static void *go_nn_recv(int s, int *len) {
    void *msg = NULL;
    *len = nn_recv(s, &msg, NN_MSG, 0);
    return *len < 0 ? NULL : msg;
}

// The file the process took nn_socket from (the libnanomsg really used).
static const char *go_nn_loaded_from(void) {
    const char *name = NULL;
    Dl_info info;
    void *h = dlopen("libnanomsg.so.5", RTLD_LAZY | RTLD_NOLOAD);
    if (h == NULL)
        return NULL;
    void *sym = dlsym(h, "nn_socket");
    if (sym != NULL && dladdr(sym, &info) && info.dli_fname != NULL)
        name = info.dli_fname;
    dlclose(h);
    return name;
}
*/
import "C"

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unsafe"
)

// Protocol and option numbers, straight from the headers.
const (
	AF_SP         = int(C.AF_SP)
	NN_REQ        = int(C.NN_REQ)
	NN_REP        = int(C.NN_REP)
	NN_SOL_SOCKET = int(C.NN_SOL_SOCKET)
	NN_RCVTIMEO   = int(C.NN_RCVTIMEO)
	NN_SNDTIMEO   = int(C.NN_SNDTIMEO)
	NN_LINGER     = int(C.NN_LINGER)
)

// Error is a failed nanomsg call: nn_errno() and nn_strerror().
type Error struct {
	Op    string
	Errno int
	Msg   string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s: %s (errno %d)", e.Op, e.Msg, e.Errno)
}

func lastError(op string) error {
	e := C.nn_errno()
	return &Error{Op: op, Errno: int(e), Msg: C.GoString(C.nn_strerror(e))}
}

// Socket is an SP socket.
type Socket struct{ s C.int }

func NewSocket(domain, protocol int) (*Socket, error) {
	s := C.nn_socket(C.int(domain), C.int(protocol))
	if s < 0 {
		return nil, lastError("nn_socket")
	}
	return &Socket{s}, nil
}

func (s *Socket) Close() error {
	if C.nn_close(s.s) < 0 {
		return lastError("nn_close")
	}
	return nil
}

func (s *Socket) SetInt(level, option, value int) error {
	if C.go_nn_setsockopt_int(s.s, C.int(level), C.int(option), C.int(value)) < 0 {
		return lastError("nn_setsockopt")
	}
	return nil
}

func (s *Socket) Bind(addr string) error {
	c := C.CString(addr)
	defer C.free(unsafe.Pointer(c))
	if C.nn_bind(s.s, c) < 0 {
		return lastError("nn_bind " + addr)
	}
	return nil
}

func (s *Socket) Connect(addr string) error {
	c := C.CString(addr)
	defer C.free(unsafe.Pointer(c))
	if C.nn_connect(s.s, c) < 0 {
		return lastError("nn_connect " + addr)
	}
	return nil
}

func (s *Socket) Send(msg []byte) error {
	var p unsafe.Pointer
	if len(msg) > 0 {
		p = unsafe.Pointer(&msg[0])
	}
	n := C.go_nn_send(s.s, p, C.size_t(len(msg)))
	if n < 0 {
		return lastError("nn_send")
	}
	if int(n) != len(msg) {
		return fmt.Errorf("nn_send: sent %d of %d bytes", n, len(msg))
	}
	return nil
}

func (s *Socket) Recv() ([]byte, error) {
	var n C.int
	msg := C.go_nn_recv(s.s, &n)
	if msg == nil {
		return nil, lastError("nn_recv")
	}
	defer C.nn_freemsg(msg)
	return C.GoBytes(msg, n), nil
}

// LoadedLibrary returns the libnanomsg file this process uses, as the
// dynamic loader reports it (dladdr), and every libnanomsg* file mapped
// into the process (/proc/self/maps).
func LoadedLibrary() (string, []string, error) {
	c := C.go_nn_loaded_from()
	if c == nil {
		return "", nil, fmt.Errorf("dladdr: libnanomsg.so.5 is not loaded")
	}
	name := C.GoString(c)
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return name, nil, err
	}
	defer f.Close()
	seen := map[string]bool{}
	var mapped []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 6 {
			continue
		}
		path := strings.Join(fields[5:], " ")
		if strings.HasPrefix(filepath.Base(path), "libnanomsg") && !seen[path] {
			seen[path] = true
			mapped = append(mapped, path)
		}
	}
	return name, mapped, sc.Err()
}

// CheckLibrary fails unless exactly one libnanomsg is mapped and it lives
// in expectDir (symbolic links resolved). An empty expectDir only reports.
func CheckLibrary(expectDir string) (string, error) {
	name, mapped, err := LoadedLibrary()
	if err != nil {
		return name, err
	}
	real, err := filepath.EvalSymlinks(name)
	if err != nil {
		return name, err
	}
	if len(mapped) != 1 || mapped[0] != real {
		return real, fmt.Errorf("dladdr says %s, /proc/self/maps has %v", real, mapped)
	}
	if expectDir == "" {
		return real, nil
	}
	want, err := filepath.EvalSymlinks(expectDir)
	if err != nil {
		return real, err
	}
	if filepath.Dir(real) != want {
		return real, fmt.Errorf("loaded %s, expected the library in %s", real, want)
	}
	return real, nil
}
