module nanomsg-rs/examples-go/pair

go 1.19
