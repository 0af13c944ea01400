module nanomsg-bindings/gocheck

go 1.19
