// A C++ downstream program: the headers compile as C++ and a REQ/REP round
// trip over inproc works through them.
#include <nanomsg/nn.h>
#include <nanomsg/reqrep.h>

#include <cstdio>
#include <cstring>
#include <string>

int main()
{
    int rep = nn_socket(AF_SP, NN_REP);
    int req = nn_socket(AF_SP, NN_REQ);
    if (rep < 0 || req < 0 || nn_bind(rep, "inproc://cxx") < 0 || nn_connect(req, "inproc://cxx") < 0) {
        std::fprintf(stderr, "FAIL: setup: %s\n", nn_strerror(nn_errno()));
        return 1;
    }
    const std::string question = "ping";
    char buf[16];
    if (nn_send(req, question.data(), question.size(), 0) != 4 || nn_recv(rep, buf, sizeof buf, 0) != 4 ||
        std::memcmp(buf, "ping", 4) != 0 || nn_send(rep, "pong", 4, 0) != 4 ||
        nn_recv(req, buf, sizeof buf, 0) != 4 || std::memcmp(buf, "pong", 4) != 0) {
        std::fprintf(stderr, "FAIL: round trip: %s\n", nn_strerror(nn_errno()));
        return 1;
    }
    nn_close(req);
    nn_close(rep);
    std::puts("consumer-cxx: ok");
    return 0;
}
