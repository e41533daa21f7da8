/* The limit for the mail sender's throughput in `make bench`: libcurl sending the same message COUNT
 * times in a bare loop, one easy handle (and connection) per message as the service does, nothing else.
 * Usage: smtp_loop URL COUNT MESSAGE_FILE; prints the elapsed seconds. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct source { const char *data; size_t size, offset; };

static size_t read_message(char *buffer, size_t size, size_t count, void *userp) {
    struct source *source = userp;
    size_t left = source->size - source->offset, room = size * count;
    size_t n = left < room ? left : room;
    memcpy(buffer, source->data + source->offset, n);
    source->offset += n;
    return n;
}

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: smtp_loop URL COUNT MESSAGE_FILE\n"); return 2; }
    FILE *file = fopen(argv[3], "rb");
    if (!file) { perror(argv[3]); return 2; }
    fseek(file, 0, SEEK_END);
    long size = ftell(file);
    fseek(file, 0, SEEK_SET);
    char *data = malloc(size);
    if (fread(data, 1, size, file) != (size_t)size) { perror("read"); return 2; }
    fclose(file);
    int count = atoi(argv[2]);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (int i = 0; i < count; i++) {
        CURL *handle = curl_easy_init();
        struct source source = { data, (size_t)size, 0 };
        struct curl_slist *recipients = curl_slist_append(NULL, "<equipe@example.test>");
        curl_easy_setopt(handle, CURLOPT_URL, argv[1]);
        curl_easy_setopt(handle, CURLOPT_MAIL_FROM, "<alertes@clauses.test>");
        curl_easy_setopt(handle, CURLOPT_MAIL_RCPT, recipients);
        curl_easy_setopt(handle, CURLOPT_READFUNCTION, read_message);
        curl_easy_setopt(handle, CURLOPT_READDATA, &source);
        curl_easy_setopt(handle, CURLOPT_UPLOAD, 1L);
        CURLcode code = curl_easy_perform(handle);
        curl_slist_free_all(recipients);
        curl_easy_cleanup(handle);
        if (code != CURLE_OK) { fprintf(stderr, "message %d: %s\n", i, curl_easy_strerror(code)); return 1; }
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    printf("%.6f\n", (end.tv_sec - start.tv_sec) + (end.tv_nsec - start.tv_nsec) / 1e9);
    return 0;
}
