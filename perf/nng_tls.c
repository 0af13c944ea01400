/*
    nng_tls thr|lat server|client <url> <msg-size> <msg-count>

    Native nng (nng_pair1, not the nanomsg compatibility layer, which
    cannot configure TLS) over tls+tcp:// or tcp://, with the patterns of
    local_thr/remote_thr and local_lat/remote_lat, so nng's TLS can be set
    beside ours (issue 15). The server reads CERTKEY (certificate and key
    in one PEM file); the client checks the server against CAFILE and the
    name "localhost". Build: gcc -O2 nng_tls.c -o nng_tls -lnng.
    Not yet run by compare.py.
*/
#include <nng/nng.h>
#include <nng/protocol/pair1/pair.h>
#include <nng/supplemental/tls/tls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <nng/supplemental/util/platform.h>
static double now(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec/1e9;}
#define CK(x) do{int _r=(x); if(_r){fprintf(stderr,"%s: %s\n",#x,nng_strerror(_r));exit(1);}}while(0)
int main(int argc,char**argv){
  const char*mode=argv[1]; int server=!strcmp(argv[2],"server"); const char*url=argv[3];
  size_t sz=atol(argv[4]); long n=atol(argv[5]);
  nng_socket s; CK(nng_pair1_open(&s));
  nng_setopt_size(s,NNG_OPT_RECVMAXSZ,0);
  int tls=!strncmp(url,"tls+",4);
  if(server){ nng_listener l; CK(nng_listener_create(&l,s,url));
    if(tls){nng_tls_config*c;CK(nng_tls_config_alloc(&c,NNG_TLS_MODE_SERVER));CK(nng_tls_config_cert_key_file(c,getenv("CERTKEY"),NULL));CK(nng_listener_setopt_ptr(l,NNG_OPT_TLS_CONFIG,c));}
    CK(nng_listener_start(l,0));
  } else { nng_dialer d; CK(nng_dialer_create(&d,s,url));
    if(tls){nng_tls_config*c;CK(nng_tls_config_alloc(&c,NNG_TLS_MODE_CLIENT));CK(nng_tls_config_ca_file(c,getenv("CAFILE")));CK(nng_tls_config_server_name(c,"localhost"));CK(nng_tls_config_auth_mode(c,NNG_TLS_AUTH_MODE_REQUIRED));CK(nng_dialer_setopt_ptr(d,NNG_OPT_TLS_CONFIG,c));}
    CK(nng_dialer_start(d,0)); }
  char*buf=malloc(sz?sz:1); memset(buf,'x',sz); size_t len;
  if(!strcmp(mode,"thr")){
    if(server){ void*m=NULL; len=0; CK(nng_recv(s,&m,&len,NNG_FLAG_ALLOC)); nng_free(m,len);
      double t0=now(); for(long i=0;i<n;i++){ len=sz; CK(nng_recv(s,buf,&len,0)); }
      double t=now()-t0; printf("RESULT kind=thr size=%zu throughput_msgs=%.1f\n",sz,n/t); CK(nng_send(s,"A",1,0));
    } else { CK(nng_send(s,"",0,0)); for(long i=0;i<n;i++) CK(nng_send(s,buf,sz,0)); len=1; CK(nng_recv(s,buf,&len,0)); }
  } else {
    if(server){ for(long i=0;i<n;i++){ len=sz; CK(nng_recv(s,buf,&len,0)); CK(nng_send(s,buf,sz,0)); } nng_msleep(200); }
    else { double t0=now(); for(long i=0;i<n;i++){ CK(nng_send(s,buf,sz,0)); len=sz; CK(nng_recv(s,buf,&len,0)); }
      double t=now()-t0; printf("RESULT kind=lat size=%zu latency_us=%.2f\n",sz,t/n/2*1e6); }
  }
  nng_close(s); return 0; }
