/*
    nn_symbol / nn_symbol_info: iterating from 0 yields names until
    nn_symbol returns NULL with errno EINVAL (negative indexes too), while
    nn_symbol_info returns 0 there. Both enumerate the same symbols in the
    same order. Well-known constants are present with the right values and
    namespaces (NN_PAIR=16, AF_SP, NN_LINGER as an int millisecond socket
    option, NN_SOCKET_NAME as a string option, ETERM and EFSM as errors,
    NN_DONTWAIT as a flag, NN_SOCKADDR_MAX as a limit); NN_MSG is not exported.
    nn_symbol accepts a NULL value pointer and nn_symbol_info writes at most
    buflen bytes and returns how many it wrote.
*/
#include "testutil.h"

#include <nanomsg/pair.h>
#include <nanomsg/pubsub.h>
#include <nanomsg/reqrep.h>
#include <nanomsg/tcp.h>

struct expect {
    const char *name;
    int value;
    int ns;
    int type;
    int unit;
    int found;
};

int main(int argc, char **argv)
{
    int i, n, v, rc;
    const char *name;
    struct nn_symbol_properties sym;
    unsigned char raw[sizeof(struct nn_symbol_properties) + 16];
    struct expect ex[] = {
        { "NN_PAIR", NN_PAIR, NN_NS_PROTOCOL, NN_TYPE_NONE, NN_UNIT_NONE, 0 },
        { "NN_PUB", NN_PUB, NN_NS_PROTOCOL, NN_TYPE_NONE, NN_UNIT_NONE, 0 },
        { "NN_REQ", NN_REQ, NN_NS_PROTOCOL, NN_TYPE_NONE, NN_UNIT_NONE, 0 },
        { "AF_SP", AF_SP, NN_NS_DOMAIN, NN_TYPE_NONE, NN_UNIT_NONE, 0 },
        { "AF_SP_RAW", AF_SP_RAW, NN_NS_DOMAIN, NN_TYPE_NONE, NN_UNIT_NONE, 0 },
        { "NN_LINGER", NN_LINGER, NN_NS_SOCKET_OPTION, NN_TYPE_INT,
          NN_UNIT_MILLISECONDS, 0 },
        { "NN_SNDBUF", NN_SNDBUF, NN_NS_SOCKET_OPTION, NN_TYPE_INT,
          NN_UNIT_BYTES, 0 },
        { "NN_SOCKET_NAME", NN_SOCKET_NAME, NN_NS_SOCKET_OPTION, NN_TYPE_STR,
          NN_UNIT_NONE, 0 },
        { "NN_TCP_NODELAY", NN_TCP_NODELAY, NN_NS_TRANSPORT_OPTION,
          NN_TYPE_INT, NN_UNIT_BOOLEAN, 0 },
        { "NN_TCP", NN_TCP, NN_NS_TRANSPORT, NN_TYPE_NONE, NN_UNIT_NONE, 0 },
        { "NN_SOL_SOCKET", NN_SOL_SOCKET, NN_NS_OPTION_LEVEL, NN_TYPE_NONE,
          NN_UNIT_NONE, 0 },
        { "NN_DONTWAIT", NN_DONTWAIT, NN_NS_FLAG, NN_TYPE_NONE, NN_UNIT_NONE,
          0 },
        { "NN_SOCKADDR_MAX", NN_SOCKADDR_MAX, NN_NS_LIMIT, NN_TYPE_NONE,
          NN_UNIT_NONE, 0 },
        { "ETERM", ETERM, NN_NS_ERROR, NN_TYPE_NONE, NN_UNIT_NONE, 0 },
        { "EFSM", EFSM, NN_NS_ERROR, NN_TYPE_NONE, NN_UNIT_NONE, 0 },
        { "EINVAL", EINVAL, NN_NS_ERROR, NN_TYPE_NONE, NN_UNIT_NONE, 0 },
        { "NN_NS_PROTOCOL", NN_NS_PROTOCOL, NN_NS_NAMESPACE, NN_TYPE_NONE,
          NN_UNIT_NONE, 0 },
    };
    int nex = (int) (sizeof(ex) / sizeof(ex[0]));

    tu_init(argc, argv);

    for (n = 0;; n++) {
        v = -7777;
        errno = 0;
        name = nn_symbol(n, &v);
        if (name == NULL) {
            if (errno != EINVAL)
                TU_FAIL("nn_symbol(%d) = NULL with errno %d %s, expected "
                    "EINVAL", n, errno, tu_errname(errno));
            break;
        }
        if (n > 10000)
            TU_FAIL("nn_symbol does not terminate");
        if (strcmp(name, "NN_MSG") == 0)
            TU_FAIL("NN_MSG must not be exported by nn_symbol");

        /*  nn_symbol_info agrees. */
        memset(&sym, 0, sizeof(sym));
        rc = nn_symbol_info(n, &sym, (int) sizeof(sym));
        TU_ASSERT_EQ(sizeof(sym), rc);
        TU_ASSERT(sym.name != NULL);
        TU_ASSERT_STR(name, sym.name);
        TU_ASSERT_EQ(v, sym.value);

        for (i = 0; i < nex; i++) {
            if (strcmp(ex[i].name, name) != 0)
                continue;
            ex[i].found++;
            if (v != ex[i].value || sym.ns != ex[i].ns ||
                  sym.type != ex[i].type || sym.unit != ex[i].unit)
                TU_FAIL("%s: expected value %d ns %d type %d unit %d, got "
                    "value %d ns %d type %d unit %d", name, ex[i].value,
                    ex[i].ns, ex[i].type, ex[i].unit, v, sym.ns, sym.type,
                    sym.unit);
        }
    }
    printf("%d symbols\n", n);
    TU_ASSERT(n > 50);
    for (i = 0; i < nex; i++)
        if (ex[i].found != 1)
            TU_FAIL("%s found %d times, expected once", ex[i].name,
                ex[i].found);

    /*  End of the list and out-of-range indexes. */
    TU_ASSERT_EQ(0, nn_symbol_info(n, &sym, (int) sizeof(sym)));
    TU_ASSERT_EQ(0, nn_symbol_info(n + 1000, &sym, (int) sizeof(sym)));
    TU_ASSERT_EQ(0, nn_symbol_info(-1, &sym, (int) sizeof(sym)));
    TU_NULL_ERR(nn_symbol(-1, &v), EINVAL);
    TU_NULL_ERR(nn_symbol(n + 1000, &v), EINVAL);
    TU_NULL_ERR(nn_symbol(INT_MIN, &v), EINVAL);

    /*  NULL value pointer. */
    TU_ASSERT(nn_symbol(0, NULL) != NULL);

    /*  Partial buffers: only buflen bytes are written. */
    memset(raw, 0x55, sizeof(raw));
    rc = nn_symbol_info(0, (struct nn_symbol_properties *) raw, 4);
    TU_ASSERT_EQ(4, rc);
    for (i = 4; i < (int) sizeof(raw); i++)
        TU_ASSERT_EQ(0x55, raw[i]);
    TU_ASSERT_EQ(0, nn_symbol_info(0, (struct nn_symbol_properties *) raw, 0));
    rc = nn_symbol_info(0, (struct nn_symbol_properties *) raw,
        (int) sizeof(raw));
    TU_ASSERT_EQ(sizeof(struct nn_symbol_properties), rc);
    for (i = (int) sizeof(struct nn_symbol_properties); i < (int) sizeof(raw);
          i++)
        TU_ASSERT_EQ(0x55, raw[i]);

    printf("PASS\n");
    return 0;
}
