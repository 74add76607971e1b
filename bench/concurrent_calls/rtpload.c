/* The RTP load generator of bench/concurrent_calls, in C because a Python generator
 * (one sendto and one recv per packet) saturates its core near 100,000 packets/s, below
 * what the relays under test carry: the step failed for the generator's sake, for ours
 * and for rtpengine alike. Batched sendmmsg/recvmmsg, as in the research's generator.
 *
 * Protocol with run.py: rtpload SOCKETS WARMUP_S MEASURE_S
 *   stdout: the SOCKETS local ports, one line;
 *   stdin:  N, then N relay ports: stream i sends from socket i % SOCKETS to port i;
 *   then every stream sends one 172-byte PCMU packet per 20 ms, phases spread evenly,
 *   whose payload starts with stream, counter and send time (ns, CLOCK_MONOTONIC), and
 *   everything received back is timed against its send time;
 *   stdout: one JSON line {sent, received, histogram (100 us buckets), max_ms, cpu}
 *   counting packets sent inside the measured window. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PACKET_BYTES 172
#define INTERVAL_NS 20000000LL
#define BATCH 256
#define RECEIVE_BATCH 64
#define BUCKET_US 100
#define BUCKETS 2000

typedef struct {
    int fd;
    int count;
    struct mmsghdr messages[BATCH];
    struct iovec vectors[BATCH];
    uint8_t packets[BATCH][PACKET_BYTES];
} Sender;

static int64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void put32(uint8_t *at, uint32_t value) {
    uint32_t big = htonl(value);
    memcpy(at, &big, 4);
}

static void put64(uint8_t *at, uint64_t value) {
    put32(at, (uint32_t)(value >> 32));
    put32(at + 4, (uint32_t)value);
}

static uint64_t get64(const uint8_t *at) {
    uint32_t high, low;
    memcpy(&high, at, 4);
    memcpy(&low, at + 4, 4);
    return ((uint64_t)ntohl(high) << 32) | ntohl(low);
}

static void flush(Sender *sender) {
    int done = 0;
    while (done < sender->count) {
        int sent = sendmmsg(sender->fd, sender->messages + done, sender->count - done, 0);
        if (sent < 0) {
            if (errno == EINTR) continue;
            break; /* a full buffer drops the rest: counted as lost, as on a real network */
        }
        done += sent;
    }
    sender->count = 0;
}

static double cpu_seconds(void) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
           (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: rtpload SOCKETS WARMUP_S MEASURE_S\n");
        return 2;
    }
    int sockets = atoi(argv[1]);
    double warmup = atof(argv[2]), measure = atof(argv[3]);
    Sender *senders = calloc(sockets, sizeof(Sender));
    int poller = epoll_create1(0);
    for (int i = 0; i < sockets; i++) {
        int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
        int size = 4 << 20;
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
        struct sockaddr_in local = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        socklen_t length = sizeof local;
        if (bind(fd, (struct sockaddr *)&local, sizeof local) < 0) {
            perror("bind");
            return 1;
        }
        getsockname(fd, (struct sockaddr *)&local, &length);
        printf("%s%d", i ? " " : "", ntohs(local.sin_port));
        struct epoll_event event = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
        epoll_ctl(poller, EPOLL_CTL_ADD, fd, &event);
        senders[i].fd = fd;
    }
    printf("\n");
    fflush(stdout);

    int streams;
    if (scanf("%d", &streams) != 1 || streams <= 0) {
        fprintf(stderr, "rtpload: expected the number of streams on stdin\n");
        return 2;
    }
    struct sockaddr_in *targets = calloc(streams, sizeof *targets);
    for (int i = 0; i < streams; i++) {
        int port;
        if (scanf("%d", &port) != 1) {
            fprintf(stderr, "rtpload: expected %d ports on stdin\n", streams);
            return 2;
        }
        targets[i] = (struct sockaddr_in){
            .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    }

    static uint64_t histogram[BUCKETS];
    static uint8_t received_packets[RECEIVE_BATCH][2048];
    struct mmsghdr received_messages[RECEIVE_BATCH];
    struct iovec received_vectors[RECEIVE_BATCH];
    for (int i = 0; i < RECEIVE_BATCH; i++) {
        received_vectors[i] = (struct iovec){received_packets[i], sizeof received_packets[i]};
        received_messages[i].msg_hdr = (struct msghdr){.msg_iov = &received_vectors[i], .msg_iovlen = 1};
    }
    struct epoll_event ready[64];

    int64_t start = now_ns();
    int64_t window_start = start + (int64_t)(warmup * 1e9);
    int64_t window_end = window_start + (int64_t)(measure * 1e9);
    int64_t stop_receiving = window_end + 300000000LL;
    uint64_t sent = 0, received = 0, index = 0;
    int64_t max_latency = 0;
    double cpu_start = cpu_seconds();

    for (;;) {
        int64_t now = now_ns();
        if (now >= stop_receiving) break;
        int timeout_ms = 1;
        if (now < window_end) {
            uint64_t due = (uint64_t)((now - start) * streams / INTERVAL_NS);
            for (; index < due; index++) {
                int stream = (int)(index % streams);
                uint32_t counter = (uint32_t)(index / streams);
                Sender *sender = &senders[stream % sockets];
                uint8_t *packet = sender->packets[sender->count];
                packet[0] = 0x80;
                packet[1] = 0; /* PCMU */
                packet[2] = (uint8_t)(counter >> 8);
                packet[3] = (uint8_t)counter;
                put32(packet + 4, counter * 160);
                put32(packet + 8, (uint32_t)stream);
                put32(packet + 12, (uint32_t)stream);
                put32(packet + 16, counter);
                put64(packet + 20, (uint64_t)now);
                memset(packet + 28, 0xff, PACKET_BYTES - 28);
                sender->vectors[sender->count] = (struct iovec){packet, PACKET_BYTES};
                sender->messages[sender->count].msg_hdr = (struct msghdr){
                    .msg_name = &targets[stream], .msg_namelen = sizeof targets[stream],
                    .msg_iov = &sender->vectors[sender->count], .msg_iovlen = 1};
                if (now >= window_start) sent++;
                if (++sender->count == BATCH) flush(sender);
            }
            for (int i = 0; i < sockets; i++)
                if (senders[i].count) flush(&senders[i]);
        }
        int events = epoll_wait(poller, ready, 64, timeout_ms);
        for (int e = 0; e < events; e++) {
            int fd = senders[ready[e].data.u32].fd;
            for (;;) {
                int count = recvmmsg(fd, received_messages, RECEIVE_BATCH, MSG_DONTWAIT, NULL);
                if (count <= 0) break;
                int64_t arrived = now_ns();
                for (int m = 0; m < count; m++) {
                    if (received_messages[m].msg_len < 28) continue;
                    int64_t sent_at = (int64_t)get64(received_packets[m] + 20);
                    if (sent_at < window_start || sent_at >= window_end) continue;
                    received++;
                    int64_t latency = arrived - sent_at;
                    if (latency > max_latency) max_latency = latency;
                    int64_t bucket = latency / (BUCKET_US * 1000);
                    histogram[bucket < BUCKETS ? bucket : BUCKETS - 1]++;
                }
                if (count < RECEIVE_BATCH) break;
            }
        }
    }

    printf("{\"sent\": %llu, \"received\": %llu, \"max_ms\": %.3f, \"cpu\": %.4f, \"histogram\": [",
           (unsigned long long)sent, (unsigned long long)received, max_latency / 1e6,
           (cpu_seconds() - cpu_start) / (warmup + measure));
    for (int i = 0; i < BUCKETS; i++) printf("%s%llu", i ? "," : "", (unsigned long long)histogram[i]);
    printf("]}\n");
    return 0;
}
