/*
    nn_term after all sockets were closed still puts the library into the
    terminated state: nn_socket then fails with ETERM.
*/
#include "testutil.h"

#include <nanomsg/pair.h>

int main(int argc, char **argv)
{
    int s;

    tu_init(argc, argv);
    s = tu_socket(AF_SP, NN_PAIR);
    tu_close(s);
    nn_term();
    TU_ERR(nn_socket(AF_SP, NN_PAIR), ETERM);
    printf("PASS\n");
    return 0;
}
