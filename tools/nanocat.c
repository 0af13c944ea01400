/*
 * nanocat - a command-line interface to nanomsg.
 *
 * A re-implementation of the nanocat tool that ships with nanomsg 1.1.5,
 * written for this project.  It accepts the same options (long names,
 * abbreviations of long names, short aliases and the nn_* executable
 * names), prints the same diagnostics with the same exit codes and writes
 * received messages in the same formats.  Only the public nanomsg API is
 * used, so the program runs against any libnanomsg.so.5.
 *
 * Exit codes: 0 on normal termination, 1 for command-line errors, 2 when
 * the --file argument cannot be read and 3 when a nanomsg call fails.
 */

#define _POSIX_C_SOURCE 200809L

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nanomsg/nn.h>
#include <nanomsg/bus.h>
#include <nanomsg/pair.h>
#include <nanomsg/tls.h>
#include <nanomsg/pipeline.h>
#include <nanomsg/pubsub.h>
#include <nanomsg/reqrep.h>
#include <nanomsg/survey.h>

/* ------------------------------------------------------------------------ */
/*  Settings collected from the command line.                               */
/* ------------------------------------------------------------------------ */

enum print_mode {
    PRINT_NONE = 0,     /* default: received messages are dropped */
    PRINT_RAW,
    PRINT_ASCII,
    PRINT_QUOTED,
    PRINT_MSGPACK,
    PRINT_HEX
};

/* Names accepted by --format, in the order they are listed on error. */
static const char *const format_names[] = {
    "no", "raw", "ascii", "quoted", "msgpack", "hex", NULL
};

struct strlist {
    char **v;
    int n;
};

struct settings {
    int verbosity;
    int socktype;                       /* 0 until a type is chosen */
    struct strlist binds;
    struct strlist connects;
    struct strlist prefixes;            /* --subscribe */
    float send_timeout;                 /* seconds, < 0 when unset */
    float recv_timeout;                 /* seconds, < 0 when unset */
    const char *socket_name;
    float delay;                        /* seconds */
    float interval;                     /* seconds, < 0 when unset */
    char *payload;                      /* NULL when no --data/--file */
    size_t payload_len;
    enum print_mode mode;
    const char *tls_ca;                 /* --cacert, NULL when unset */
    const char *tls_cert;               /* --cert */
    const char *tls_key;                /* --key */
    int tls_insecure;                   /* --insecure */
};

static struct settings cfg;

/* ------------------------------------------------------------------------ */
/*  Option table.                                                           */
/* ------------------------------------------------------------------------ */

/* Capability bits: an option "provides" some, may "conflict" with some that
   are already provided, and may "require" some to be provided by the whole
   command line. */
#define CAP_SOCKTYPE   0x01
#define CAP_SENDS      0x02
#define CAP_RECEIVES   0x04
#define CAP_SUBSCRIBER 0x08
#define CAP_PAYLOAD    0x10
#define CAP_ENDPOINT   0x20

#define CAP_SEND_SOCK (CAP_SOCKTYPE | CAP_SENDS)
#define CAP_RECV_SOCK (CAP_SOCKTYPE | CAP_RECEIVES)
#define CAP_BIDI_SOCK (CAP_SOCKTYPE | CAP_SENDS | CAP_RECEIVES)

/* Every command line must provide these. */
#define CAP_MANDATORY (CAP_SOCKTYPE | CAP_ENDPOINT)

enum action {
    ACT_MORE_VERBOSE,
    ACT_LESS_VERBOSE,
    ACT_HELP,
    ACT_SOCKTYPE,       /* ival: socket type */
    ACT_MODE,           /* ival: print mode */
    ACT_MODE_BY_NAME,
    ACT_BIND,           /* pattern: NULL or printf pattern for the address */
    ACT_CONNECT,
    ACT_RECV_TIMEOUT,
    ACT_SEND_TIMEOUT,
    ACT_SOCKET_NAME,
    ACT_SUBSCRIBE,
    ACT_INTERVAL,
    ACT_DELAY,
    ACT_DATA,
    ACT_FILE,
    ACT_TLS_CA,
    ACT_TLS_CERT,
    ACT_TLS_KEY,
    ACT_TLS_INSECURE
};

struct opt {
    const char *name;       /* long name, without the dashes */
    char letter;            /* short alias, 0 if none */
    const char *exe;        /* executable name selecting it, or NULL */
    enum action act;
    int ival;
    const char *pattern;
    unsigned provides;
    unsigned conflicts;
    unsigned requires;
    const char *section;
    const char *argname;    /* NULL for flags */
    const char *text;
};

static const struct opt opts[] = {
    {"verbose", 'v', NULL, ACT_MORE_VERBOSE, 0, NULL, 0, 0, 0,
     "Generic", NULL, "Increase verbosity of the nanocat"},
    {"silent", 'q', NULL, ACT_LESS_VERBOSE, 0, NULL, 0, 0, 0,
     "Generic", NULL, "Decrease verbosity of the nanocat"},
    {"help", 'h', NULL, ACT_HELP, 0, NULL, 0, 0, 0,
     "Generic", NULL, "This help text"},

    {"push", 0, "nn_push", ACT_SOCKTYPE, NN_PUSH, NULL,
     CAP_SEND_SOCK, CAP_SOCKTYPE, CAP_PAYLOAD,
     "Socket Types", NULL, "Use NN_PUSH socket type"},
    {"pull", 0, "nn_pull", ACT_SOCKTYPE, NN_PULL, NULL,
     CAP_RECV_SOCK, CAP_SOCKTYPE, 0,
     "Socket Types", NULL, "Use NN_PULL socket type"},
    {"pub", 0, "nn_pub", ACT_SOCKTYPE, NN_PUB, NULL,
     CAP_SEND_SOCK, CAP_SOCKTYPE, CAP_PAYLOAD,
     "Socket Types", NULL, "Use NN_PUB socket type"},
    {"sub", 0, "nn_sub", ACT_SOCKTYPE, NN_SUB, NULL,
     CAP_RECV_SOCK | CAP_SUBSCRIBER, CAP_SOCKTYPE, 0,
     "Socket Types", NULL, "Use NN_SUB socket type"},
    {"req", 0, "nn_req", ACT_SOCKTYPE, NN_REQ, NULL,
     CAP_BIDI_SOCK, CAP_SOCKTYPE, CAP_PAYLOAD,
     "Socket Types", NULL, "Use NN_REQ socket type"},
    {"rep", 0, "nn_rep", ACT_SOCKTYPE, NN_REP, NULL,
     CAP_BIDI_SOCK, CAP_SOCKTYPE, 0,
     "Socket Types", NULL, "Use NN_REP socket type"},
    {"surveyor", 0, "nn_surveyor", ACT_SOCKTYPE, NN_SURVEYOR, NULL,
     CAP_BIDI_SOCK, CAP_SOCKTYPE, CAP_PAYLOAD,
     "Socket Types", NULL, "Use NN_SURVEYOR socket type"},
    {"respondent", 0, "nn_respondent", ACT_SOCKTYPE, NN_RESPONDENT, NULL,
     CAP_BIDI_SOCK, CAP_SOCKTYPE, 0,
     "Socket Types", NULL, "Use NN_RESPONDENT socket type"},
    {"bus", 0, "nn_bus", ACT_SOCKTYPE, NN_BUS, NULL,
     CAP_BIDI_SOCK, CAP_SOCKTYPE, 0,
     "Socket Types", NULL, "Use NN_BUS socket type"},
    {"pair", 0, "nn_pair", ACT_SOCKTYPE, NN_PAIR, NULL,
     CAP_BIDI_SOCK, CAP_SOCKTYPE, 0,
     "Socket Types", NULL, "Use NN_PAIR socket type"},

    {"bind", 0, NULL, ACT_BIND, 0, NULL, CAP_ENDPOINT, 0, 0,
     "Socket Options", "ADDR", "Bind socket to the address ADDR"},
    {"connect", 0, NULL, ACT_CONNECT, 0, NULL, CAP_ENDPOINT, 0, 0,
     "Socket Options", "ADDR", "Connect socket to the address ADDR"},
    {"bind-ipc", 'X', NULL, ACT_BIND, 0, "ipc://%s", CAP_ENDPOINT, 0, 0,
     "Socket Options", "PATH",
     "Bind socket to the ipc address \"ipc://PATH\"."},
    {"connect-ipc", 'x', NULL, ACT_CONNECT, 0, "ipc://%s", CAP_ENDPOINT, 0, 0,
     "Socket Options", "PATH",
     "Connect socket to the ipc address \"ipc://PATH\"."},
    {"bind-local", 'L', NULL, ACT_BIND, 0, "tcp://127.0.0.1:%s",
     CAP_ENDPOINT, 0, 0, "Socket Options", "PORT",
     "Bind socket to the tcp address \"tcp://127.0.0.1:PORT\"."},
    {"connect-local", 'l', NULL, ACT_CONNECT, 0, "tcp://127.0.0.1:%s",
     CAP_ENDPOINT, 0, 0, "Socket Options", "PORT",
     "Connect socket to the tcp address \"tcp://127.0.0.1:PORT\"."},
    {"recv-timeout", 0, NULL, ACT_RECV_TIMEOUT, 0, NULL, 0, 0, CAP_RECEIVES,
     "Socket Options", "SEC", "Set timeout for receiving a message"},
    {"send-timeout", 0, NULL, ACT_SEND_TIMEOUT, 0, NULL, 0, 0, CAP_SENDS,
     "Socket Options", "SEC", "Set timeout for sending a message"},
    {"socket-name", 0, NULL, ACT_SOCKET_NAME, 0, NULL, 0, 0, 0,
     "Socket Options", "NAME", "Name of the socket for statistics"},

    /* As nngcat's, for tls+tcp:// and wss:// (not in nanomsg 1.1.5). */
    {"cacert", 0, NULL, ACT_TLS_CA, 0, NULL, 0, 0, 0,
     "TLS Options", "FILE",
     "Trust the certificate authorities in FILE (PEM) to sign the peer's "
     "certificate; a listener then requires client certificates"},
    {"cert", 'E', NULL, ACT_TLS_CERT, 0, NULL, 0, 0, 0,
     "TLS Options", "FILE", "Use the certificate (chain) in FILE (PEM)"},
    {"key", 0, NULL, ACT_TLS_KEY, 0, NULL, 0, 0, 0,
     "TLS Options", "FILE",
     "Use the private key in FILE (PEM); default: the --cert file"},
    {"insecure", 'k', NULL, ACT_TLS_INSECURE, 0, NULL, 0, 0, 0,
     "TLS Options", NULL, "Do not check the peer's certificate"},

    {"subscribe", 0, NULL, ACT_SUBSCRIBE, 0, NULL, 0, 0, CAP_SUBSCRIBER,
     "SUB Socket Options", "PREFIX",
     "Subscribe to the prefix PREFIX. Note: socket will be subscribed to "
     "everything (empty prefix) if no prefixes are specified on the "
     "command-line."},

    {"format", 0, NULL, ACT_MODE_BY_NAME, 0, NULL, 0, 0, CAP_RECEIVES,
     "Input Options", "FORMAT",
     "Use echo format FORMAT (same as the options below)"},
    {"raw", 0, NULL, ACT_MODE, PRINT_RAW, NULL, 0, 0, CAP_RECEIVES,
     "Input Options", NULL,
     "Dump message as is (Note: no delimiters are printed)"},
    {"ascii", 'A', NULL, ACT_MODE, PRINT_ASCII, NULL, 0, 0, CAP_RECEIVES,
     "Input Options", NULL,
     "Print ASCII part of message delimited by newline. All non-ascii "
     "characters replaced by dot."},
    {"quoted", 'Q', NULL, ACT_MODE, PRINT_QUOTED, NULL, 0, 0, CAP_RECEIVES,
     "Input Options", NULL,
     "Print each message on separate line in double quotes with C-like "
     "character escaping"},
    {"msgpack", 0, NULL, ACT_MODE, PRINT_MSGPACK, NULL, 0, 0, CAP_RECEIVES,
     "Input Options", NULL,
     "Print each message as msgpacked string (raw type). This is useful for "
     "programmatic parsing."},
    {"hex", 0, NULL, ACT_MODE, PRINT_HEX, NULL, 0, 0, CAP_RECEIVES,
     "Input Options", NULL,
     "Print each message on separate line in double quotes with hex values"},

    {"interval", 'i', NULL, ACT_INTERVAL, 0, NULL, 0, 0, CAP_SENDS,
     "Output Options", "SEC", "Send message (or request) every SEC seconds"},
    {"delay", 'd', NULL, ACT_DELAY, 0, NULL, 0, 0, 0,
     "Output Options", "SEC",
     "Wait for SEC seconds before sending message (useful for one-shot PUB "
     "sockets)"},
    {"data", 'D', NULL, ACT_DATA, 0, NULL,
     CAP_PAYLOAD, CAP_PAYLOAD, CAP_SENDS,
     "Output Options", "DATA",
     "Send DATA to the socket and quit for PUB, PUSH, PAIR, BUS socket. "
     "Use DATA to reply for REP or  RESPONDENT socket. Send DATA as request "
     "for REQ or SURVEYOR socket."},
    {"file", 'F', NULL, ACT_FILE, 0, NULL,
     CAP_PAYLOAD, CAP_PAYLOAD, CAP_SENDS,
     "Output Options", "PATH", "Same as --data but get data from file PATH"},
};

#define NOPTS ((int) (sizeof (opts) / sizeof (opts[0])))

/* ------------------------------------------------------------------------ */
/*  Command-line parser.                                                    */
/* ------------------------------------------------------------------------ */

static char *prog;              /* argv[0], used in every diagnostic */
static unsigned have;           /* union of the capabilities provided */
static const char *seen[NOPTS]; /* how each option was last written */

static void *xmalloc (size_t n)
{
    void *p = malloc (n ? n : 1);
    if (!p) {
        fprintf (stderr, "%s: Out of memory\n", prog);
        abort ();
    }
    return p;
}

static void strlist_add (struct strlist *l, char *s)
{
    char **v = realloc (l->v, sizeof (char *) * (size_t) (l->n + 1));
    if (!v) {
        fprintf (stderr, "%s: Out of memory\n", prog);
        abort ();
    }
    v[l->n++] = s;
    l->v = v;
}

/*  Writes how option k appeared on the command line, surrounded by single
    spaces: " --name ", " --na[me] ", " -c (--name) " or
    " PROGRAM (executable) ". */
static void show_use (FILE *out, int k)
{
    const char *use = seen[k];
    const char *name = opts[k].name;

    if (use[0] == '-') {
        size_t typed = strcspn (use, "=");
        if (typed == strlen (name) + 2)
            fprintf (out, " %s ", use);
        else
            fprintf (out, " %.*s[%s] ", (int) typed, use, name + typed - 2);
    } else if (use == prog) {
        fprintf (out, " %s (executable) ", use);
    } else {
        fprintf (out, " -%c (--%s) ", use[0], name);
    }
}

/*  Lists, one a line, every option providing one of the bits in caps. */
static void list_providers (unsigned caps)
{
    int k;
    for (k = 0; k < NOPTS; ++k) {
        if (!(opts[k].provides & caps))
            continue;
        fprintf (stderr, "    --%s\n", opts[k].name);
        if (opts[k].letter)
            fprintf (stderr, "    -%c\n", opts[k].letter);
    }
}

static void fail_option (int k, const char *what)
{
    fprintf (stderr, "%s: Option", prog);
    show_use (stderr, k);
    fprintf (stderr, "%s\n", what);
    exit (1);
}

static void fail_conflict (int k)
{
    int j;
    int shown = 0;

    fprintf (stderr, "%s: Option", prog);
    show_use (stderr, k);
    fprintf (stderr, "conflicts with the following options:\n");
    for (j = 0; j < NOPTS; ++j) {
        if (j == k || !seen[j] || !(opts[j].provides & opts[k].conflicts))
            continue;
        fprintf (stderr, "   ");
        show_use (stderr, j);
        fprintf (stderr, "\n");
        ++shown;
    }
    if (!shown) {
        fprintf (stderr, "   ");
        show_use (stderr, k);
        fprintf (stderr, "\n");
    }
    exit (1);
}

/*  Writes the start of s that fits in a help line (56 columns, broken at a
    blank) and returns the rest, without the blank. */
static const char *put_line (FILE *out, const char *s)
{
    const size_t width = 56;
    size_t cut;

    if (strlen (s) < width) {
        fputs (s, out);
        return "";
    }
    for (cut = width; cut > 1; --cut) {
        if (isspace ((unsigned char) s[cut])) {
            fwrite (s, 1, cut, out);
            return s + cut + 1;
        }
    }
    fputs (s, out);     /* no blank to break at */
    return "";
}

static int takes_value (const struct opt *o)
{
    return o->argname != NULL;
}

static void print_help (void)
{
    FILE *out = stdout;
    const char *section = NULL;
    int k;
    int started;

    fprintf (out, "Usage:\n    %s ", prog);

    /* The options of which at least one is mandatory. */
    started = 0;
    for (k = 0; k < NOPTS; ++k) {
        if (opts[k].provides & CAP_MANDATORY) {
            fprintf (out, "%s--%s", started ? "|" : "{", opts[k].name);
            started = 1;
        }
    }
    if (started)
        fputs ("} ", out);

    /* Short flags. */
    started = 0;
    for (k = 0; k < NOPTS; ++k) {
        if ((opts[k].provides & CAP_MANDATORY) || !opts[k].letter ||
              takes_value (&opts[k]))
            continue;
        if (!started)
            fputs ("[-", out);
        fputc (opts[k].letter, out);
        started = 1;
    }
    if (started)
        fputs ("] ", out);

    /* Short options with a value. */
    for (k = 0; k < NOPTS; ++k) {
        if ((opts[k].provides & CAP_MANDATORY) || !opts[k].letter ||
              !takes_value (&opts[k]))
            continue;
        fprintf (out, "[-%c %s] ", opts[k].letter, opts[k].argname);
    }
    fputs ("[options] \n", out);

    fputs ("\nA command-line interface to nanomsg\n", out);

    for (k = 0; k < NOPTS; ++k) {
        const struct opt *o = &opts[k];
        const char *rest;
        size_t col;

        if (!section || strcmp (section, o->section) != 0) {
            fprintf (out, "\n%s:\n", o->section);
            section = o->section;
        }
        col = 3 + strlen (o->name);
        fprintf (out, " --%s", o->name);
        if (o->letter) {
            fprintf (out, ",-%c", o->letter);
            col += 3;
        }
        if (takes_value (o)) {
            fprintf (out, " %s", o->argname);
            col += 1 + strlen (o->argname);
        }
        /* The description starts in column 25, on the same line when the
           option leaves room for it. */
        rest = o->text;
        if (col < 23) {
            fprintf (out, "%*s", (int) (24 - col), "");
            rest = put_line (out, rest);
        }
        while (*rest) {
            fputs ("\n                        ", out);
            rest = put_line (out, rest);
        }
        fputc ('\n', out);
    }
}

static float parse_seconds (int k, const char *value)
{
    char *end;
    float f = strtof (value, &end);
    if (end == value || *end != '\0')
        fail_option (k, "requires float point argument");
    return f;
}

static char *expand_address (const char *pattern, const char *value)
{
    size_t n;
    char *s;

    if (!pattern)
        return (char *) value;
    n = strlen (pattern) + strlen (value) + 1;
    s = xmalloc (n);
    snprintf (s, n, pattern, value);
    return s;
}

static void read_payload (const char *path)
{
    FILE *f;
    char *buf;
    size_t len = 0;
    size_t cap = 4096;
    int failed;

    if (strcmp (path, "-") == 0) {
        f = stdin;
    } else {
        f = fopen (path, "r");
        if (!f) {
            fprintf (stderr, "Error opening file ``%s'': %s\n",
                path, strerror (errno));
            exit (2);
        }
    }
    buf = xmalloc (cap);
    for (;;) {
        size_t got;
        if (cap - len < 1024) {
            size_t grow = cap < ((size_t) 1 << 20) ? cap : ((size_t) 1 << 20);
            char *bigger = realloc (buf, cap + grow);
            if (!bigger) {
                fprintf (stderr, "%s: Out of memory\n", prog);
                abort ();
            }
            buf = bigger;
            cap += grow;
        }
        got = fread (buf + len, 1, cap - len, f);
        len += got;
        if (got == 0 && (feof (f) || ferror (f)))
            break;
    }
    failed = ferror (f);
    if (failed) {
        fprintf (stderr, "Error reading file ``%s'': %s\n",
            path, strerror (errno));
        exit (2);
    }
    if (f != stdin)
        fclose (f);
    cfg.payload = buf;
    cfg.payload_len = len;
}

static void apply (int k, char *value)
{
    const struct opt *o = &opts[k];
    int i;

    if (have & o->conflicts)
        fail_conflict (k);
    have |= o->provides;

    switch (o->act) {
    case ACT_MORE_VERBOSE:
        ++cfg.verbosity;
        break;
    case ACT_LESS_VERBOSE:
        --cfg.verbosity;
        break;
    case ACT_HELP:
        print_help ();
        exit (0);
    case ACT_SOCKTYPE:
        cfg.socktype = o->ival;
        break;
    case ACT_MODE:
        cfg.mode = (enum print_mode) o->ival;
        break;
    case ACT_MODE_BY_NAME:
        for (i = 0; format_names[i]; ++i) {
            if (strcmp (format_names[i], value) == 0) {
                cfg.mode = (enum print_mode) i;
                return;
            }
        }
        fprintf (stderr, "%s: Invalid value ``%s'' for", prog, value);
        show_use (stderr, k);
        fprintf (stderr, ". Options are:\n");
        for (i = 0; format_names[i]; ++i)
            fprintf (stderr, "    %s\n", format_names[i]);
        exit (1);
    case ACT_BIND:
        strlist_add (&cfg.binds, expand_address (o->pattern, value));
        break;
    case ACT_CONNECT:
        strlist_add (&cfg.connects, expand_address (o->pattern, value));
        break;
    case ACT_RECV_TIMEOUT:
        cfg.recv_timeout = parse_seconds (k, value);
        break;
    case ACT_SEND_TIMEOUT:
        cfg.send_timeout = parse_seconds (k, value);
        break;
    case ACT_SOCKET_NAME:
        cfg.socket_name = value;
        break;
    case ACT_SUBSCRIBE:
        strlist_add (&cfg.prefixes, value);
        break;
    case ACT_INTERVAL:
        cfg.interval = parse_seconds (k, value);
        break;
    case ACT_DELAY:
        cfg.delay = parse_seconds (k, value);
        break;
    case ACT_DATA:
        cfg.payload = value;
        cfg.payload_len = strlen (value);
        break;
    case ACT_FILE:
        read_payload (value);
        break;
    case ACT_TLS_CA:
        cfg.tls_ca = value;
        break;
    case ACT_TLS_CERT:
        cfg.tls_cert = value;
        break;
    case ACT_TLS_KEY:
        cfg.tls_key = value;
        break;
    case ACT_TLS_INSECURE:
        cfg.tls_insecure = 1;
        break;
    }
}

static void parse_long (char *word, char **argv, int argc, int *next)
{
    const char *body = word + 2;
    size_t typed = strcspn (body, "=");
    int found = -1;
    int matches = 0;
    int k;

    for (k = 0; k < NOPTS; ++k) {
        const char *name = opts[k].name;
        if (strncmp (name, body, typed) != 0 || strlen (name) < typed)
            continue;
        if (name[typed] == '\0') {      /* the full name wins outright */
            found = k;
            matches = 1;
            break;
        }
        found = k;
        ++matches;
    }

    if (typed == 0 || matches == 0) {
        fprintf (stderr, "%s: Unknown option ``%s''\n", prog, word);
        exit (1);
    }
    if (matches > 1) {
        fprintf (stderr, "%s: Ambiguous option ``%s'':\n", prog, word);
        for (k = 0; k < NOPTS; ++k) {
            if (strncmp (opts[k].name, body, typed) == 0 &&
                  strlen (opts[k].name) >= typed)
                fprintf (stderr, "    %s\n", opts[k].name);
        }
        exit (1);
    }

    seen[found] = word;
    if (body[typed] == '=') {
        if (!takes_value (&opts[found]))
            fail_option (found, "does not accept argument");
        apply (found, (char *) body + typed + 1);
    } else if (!takes_value (&opts[found])) {
        apply (found, NULL);
    } else if (*next < argc) {
        apply (found, argv[(*next)++]);
    } else {
        fail_option (found, "requires an argument");
    }
}

/*  Handles a cluster of short options ("-vA", "-L5555", "-D" "data"). */
static void parse_short (char *letters, char **argv, int argc, int *next)
{
    while (*letters) {
        int k;
        for (k = 0; k < NOPTS; ++k) {
            if (opts[k].letter && opts[k].letter == *letters)
                break;
        }
        if (k == NOPTS) {
            fprintf (stderr, "%s: Unknown option ``-%c''\n", prog, *letters);
            exit (1);
        }
        seen[k] = letters;
        if (!takes_value (&opts[k])) {
            apply (k, NULL);
            ++letters;
            continue;
        }
        if (letters[1]) {
            apply (k, letters + 1);
        } else if (*next < argc) {
            apply (k, argv[(*next)++]);
        } else {
            fail_option (k, "requires an argument");
        }
        return;     /* the value ends the cluster */
    }
}

static void parse_command_line (int argc, char **argv)
{
    const char *base;
    int next;
    int k;

    prog = argc > 0 && argv[0] ? argv[0] : (char *) "nanocat";

    /* Invoked as nn_push, nn_sub, ...: the name selects the socket type. */
    base = strrchr (prog, '/');
    base = base ? base + 1 : prog;
    for (k = 0; k < NOPTS; ++k) {
        if (opts[k].exe && strcmp (opts[k].exe, base) == 0) {
            seen[k] = prog;
            apply (k, NULL);
        }
    }

    next = 1;
    while (next < argc) {
        char *word = argv[next++];
        if (word[0] != '-') {
            fprintf (stderr, "%s: Unexpected argument ``%s''\n", prog, word);
            exit (1);
        }
        if (word[1] == '-') {
            if (word[2] == '\0')
                continue;       /* a lone "--" is ignored */
            parse_long (word, argv, argc, &next);
        } else {
            parse_short (word + 1, argv, argc, &next);
        }
    }

    /* Every option used must have what it needs... */
    for (k = 0; k < NOPTS; ++k) {
        if (!seen[k] || !opts[k].requires)
            continue;
        if ((have & opts[k].requires) != opts[k].requires) {
            fprintf (stderr, "%s: Option", prog);
            show_use (stderr, k);
            fprintf (stderr,
                "requires at least one of the following options:\n");
            list_providers (opts[k].requires);
            exit (1);
        }
    }
    /* ...and there must be a socket type and an endpoint. */
    if ((have & CAP_MANDATORY) != CAP_MANDATORY) {
        fprintf (stderr, "%s: At least one of the following required:\n",
            prog);
        list_providers (CAP_MANDATORY & ~have);
        exit (1);
    }
}

/* ------------------------------------------------------------------------ */
/*  Socket work.                                                            */
/* ------------------------------------------------------------------------ */

static void check (int ok, const char *what)
{
    if (!ok) {
        int err = errno;
        fprintf (stderr, "%s: %s\n", what, nn_strerror (err));
        exit (3);
    }
}

static int64_t now_ms (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void pause_ms (int64_t ms)
{
    struct timespec ts;
    if (ms <= 0)
        return;
    ts.tv_sec = (time_t) (ms / 1000);
    ts.tv_nsec = (long) (ms % 1000) * 1000000L;
    while (nanosleep (&ts, &ts) != 0 && errno == EINTR)
        ;
}

static void set_recv_timeout (int s, int ms)
{
    check (nn_setsockopt (s, NN_SOL_SOCKET, NN_RCVTIMEO, &ms, sizeof ms) == 0,
        "Can't set recv timeout");
}

static void set_tls_string (int s, int option, const char *value,
    const char *what)
{
    if (value)
        check (nn_setsockopt (s, NN_TLS, option, value, strlen (value)) == 0,
            what);
}

/* The TLS options given (unset ones keep their NN_TLS_* environment
   defaults). A --cert file holding the key too serves as --key. */
static void set_tls_options (int s)
{
    set_tls_string (s, NN_TLS_CA_FILE, cfg.tls_ca, "Can't set --cacert");
    set_tls_string (s, NN_TLS_CERT_FILE, cfg.tls_cert, "Can't set --cert");
    set_tls_string (s, NN_TLS_KEY_FILE,
        cfg.tls_key ? cfg.tls_key : cfg.tls_cert, "Can't set --key");
    if (cfg.tls_insecure) {
        int none = NN_TLS_AUTH_NONE;
        check (nn_setsockopt (s, NN_TLS, NN_TLS_AUTH_MODE, &none,
            sizeof none) == 0, "Can't set --insecure");
    }
}

static int open_socket (void)
{
    int s;
    int i;

    s = nn_socket (AF_SP, cfg.socktype);
    check (s >= 0, "Can't create socket");

    if (cfg.send_timeout >= 0) {
        int ms = (int) (cfg.send_timeout * 1000);
        check (nn_setsockopt (s, NN_SOL_SOCKET, NN_SNDTIMEO,
            &ms, sizeof ms) == 0, "Can't set send timeout");
    }
    if (cfg.recv_timeout >= 0) {
        /* nanocat 1.1.5 truncates the receive timeout to whole seconds. */
        set_recv_timeout (s, (int) cfg.recv_timeout * 1000);
    }
    if (cfg.socket_name) {
        check (nn_setsockopt (s, NN_SOL_SOCKET, NN_SOCKET_NAME,
            cfg.socket_name, strlen (cfg.socket_name)) == 0,
            "Can't set socket name");
    }
    if (cfg.socktype == NN_SUB) {
        if (cfg.prefixes.n == 0) {
            check (nn_setsockopt (s, NN_SUB, NN_SUB_SUBSCRIBE, "", 0) == 0,
                "Can't subscribe");
        }
        for (i = 0; i < cfg.prefixes.n; ++i) {
            check (nn_setsockopt (s, NN_SUB, NN_SUB_SUBSCRIBE,
                cfg.prefixes.v[i], strlen (cfg.prefixes.v[i])) == 0,
                "Can't subscribe");
        }
    }

    set_tls_options (s);
    for (i = 0; i < cfg.binds.n; ++i)
        check (nn_bind (s, cfg.binds.v[i]) >= 0, "Can't bind");
    for (i = 0; i < cfg.connects.n; ++i)
        check (nn_connect (s, cfg.connects.v[i]) >= 0, "Can't connect");
    return s;
}

static void show_message (const unsigned char *p, size_t n)
{
    FILE *out = stdout;
    size_t i;

    switch (cfg.mode) {
    case PRINT_NONE:
        return;
    case PRINT_RAW:
        fwrite (p, 1, n, out);
        break;
    case PRINT_ASCII:
        for (i = 0; i < n; ++i)
            fputc ((p[i] < 0x80 && isprint (p[i])) ? p[i] : '.', out);
        fputc ('\n', out);
        break;
    case PRINT_QUOTED:
        fputc ('"', out);
        for (i = 0; i < n; ++i) {
            unsigned char c = p[i];
            if (c == '\n')
                fputs ("\\n", out);
            else if (c == '\r')
                fputs ("\\r", out);
            else if (c == '"' || c == '\\')
                fprintf (out, "\\%c", c);
            else if (c < 0x80 && isprint (c))
                fputc (c, out);
            else
                fprintf (out, "\\x%02x", c);
        }
        fputs ("\"\n", out);
        break;
    case PRINT_MSGPACK: {
        /* msgpack "bin 8/16/32" header, big-endian length, then the body. */
        uint32_t len = (uint32_t) n;
        if (n < 0x100) {
            fputc (0xc4, out);
            fputc ((int) len, out);
        } else if (n < 0x10000) {
            fputc (0xc5, out);
            fputc ((int) (len >> 8), out);
            fputc ((int) (len & 0xff), out);
        } else {
            fputc (0xc6, out);
            fputc ((int) (len >> 24), out);
            fputc ((int) ((len >> 16) & 0xff), out);
            fputc ((int) ((len >> 8) & 0xff), out);
            fputc ((int) (len & 0xff), out);
        }
        fwrite (p, 1, n, out);
        break;
    }
    case PRINT_HEX:
        fputc ('"', out);
        for (i = 0; i < n; ++i)
            fprintf (out, "\\x%02x", p[i]);
        fputs ("\"\n", out);
        break;
    }
    fflush (out);
}

static void send_payload (int s)
{
    int rc = nn_send (s, cfg.payload, cfg.payload_len, 0);
    if (rc < 0 && errno == EAGAIN)
        fprintf (stderr, "Message not sent (EAGAIN)\n");
    else
        check (rc >= 0, "Can't send");
}

/*  Receives and prints until a timeout, or until the protocol says no more
    messages can come (EFSM). */
static void receive_all (int s)
{
    for (;;) {
        void *msg;
        int rc = nn_recv (s, &msg, NN_MSG, 0);
        if (rc < 0) {
            if (errno == EAGAIN)
                continue;
            if (errno == ETIMEDOUT || errno == EFSM)
                return;
            check (0, "Can't recv");
        }
        show_message (msg, (size_t) rc);
        nn_freemsg (msg);
    }
}

/*  PUB, PUSH: send once, or every --interval seconds forever. */
static void run_sender (int s)
{
    int64_t every = (int) (cfg.interval * 1000);

    for (;;) {
        int64_t began = now_ms ();
        send_payload (s);
        if (every < 0)
            return;
        pause_ms (began + every - now_ms ());
    }
}

/*  REQ, SURVEYOR (and PAIR, BUS with data): send, then print what comes
    back; with --interval, send again every interval and print the replies
    that arrive in between. */
static void run_requester (int s)
{
    int64_t every = (int) (cfg.interval * 1000);
    int64_t limit = (int) (cfg.recv_timeout * 1000);

    for (;;) {
        int64_t began = now_ms ();

        send_payload (s);
        if (cfg.interval < 0) {
            receive_all (s);
            return;
        }
        for (;;) {
            int64_t left = began + every - now_ms ();
            void *msg;
            int rc;

            if (left <= 0)
                break;
            if (limit >= 0 && left > limit)
                left = limit;
            set_recv_timeout (s, (int) left);
            rc = nn_recv (s, &msg, NN_MSG, 0);
            if (rc < 0 && errno == EAGAIN)
                continue;
            if (rc < 0 && (errno == ETIMEDOUT || errno == EFSM)) {
                pause_ms (began + every - now_ms ());
                continue;
            }
            check (rc >= 0, "Can't recv");
            show_message (msg, (size_t) rc);
            nn_freemsg (msg);
        }
    }
}

/*  REP, RESPONDENT with data: print each request and answer it. */
static void run_responder (int s)
{
    for (;;) {
        void *msg;
        int rc = nn_recv (s, &msg, NN_MSG, 0);
        if (rc < 0 && errno == EAGAIN)
            continue;
        check (rc >= 0, "Can't recv");
        show_message (msg, (size_t) rc);
        nn_freemsg (msg);
        send_payload (s);
    }
}

int main (int argc, char **argv)
{
    int s;

    cfg.send_timeout = -1.f;
    cfg.recv_timeout = -1.f;
    cfg.interval = -1.f;
    cfg.delay = 0.f;
    cfg.mode = PRINT_NONE;

    parse_command_line (argc, argv);

    s = open_socket ();
    pause_ms ((int) (cfg.delay * 1000));

    switch (cfg.socktype) {
    case NN_PUB:
    case NN_PUSH:
        run_sender (s);
        break;
    case NN_SUB:
    case NN_PULL:
        receive_all (s);
        break;
    case NN_REQ:
    case NN_SURVEYOR:
        run_requester (s);
        break;
    case NN_PAIR:
    case NN_BUS:
        if (cfg.payload)
            run_requester (s);
        else
            receive_all (s);
        break;
    case NN_REP:
    case NN_RESPONDENT:
        if (cfg.payload)
            run_responder (s);
        else
            receive_all (s);
        break;
    }

    nn_close (s);
    return 0;
}
