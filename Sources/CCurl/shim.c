#include "CCurl.h"
#include <string.h>

CURLcode ccurl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

CURLcode ccurl_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

CURLcode ccurl_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

CURLcode ccurl_setopt_read_function(CURL *handle, size_t (*callback)(char *, size_t, size_t, void *)) {
    return curl_easy_setopt(handle, CURLOPT_READFUNCTION, callback);
}

CURLcode ccurl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *list) {
    return curl_easy_setopt(handle, option, list);
}

CURLcode ccurl_setopt_mime(CURL *handle, curl_mime *mime) {
    return curl_easy_setopt(handle, CURLOPT_MIMEPOST, mime);
}

CURLcode ccurl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

CURLcode ccurl_global_init_default(void) {
    return curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* Keeps the last refusal the server sent (a reply line starting with 4 or 5), trailing CR LF removed. */
static int ccurl_debug(CURL *handle, curl_infotype type, char *data, size_t size, void *userp) {
    (void)handle;
    struct ccurl_reply *reply = userp;
    if (type != CURLINFO_HEADER_IN || size == 0) return 0;
    size_t start = 0;
    for (size_t i = 0; i <= size; i++) {
        if (i == size || data[i] == '\n') {
            size_t end = i;
            while (end > start && (data[end - 1] == '\r' || data[end - 1] == '\n')) end--;
            if (end > start && (data[start] == '4' || data[start] == '5')) {
                size_t length = end - start < sizeof(reply->text) - 1 ? end - start : sizeof(reply->text) - 1;
                memcpy(reply->text, data + start, length);
                reply->text[length] = 0;
            }
            start = i + 1;
        }
    }
    return 0;
}

CURLcode ccurl_capture_refusals(CURL *handle, struct ccurl_reply *reply) {
    CURLcode code = curl_easy_setopt(handle, CURLOPT_DEBUGDATA, reply);
    if (code == CURLE_OK) code = curl_easy_setopt(handle, CURLOPT_DEBUGFUNCTION, ccurl_debug);
    if (code == CURLE_OK) code = curl_easy_setopt(handle, CURLOPT_VERBOSE, 1L);
    return code;
}
