#ifndef CCURL_H
#define CCURL_H
#include <curl/curl.h>

// Typed wrappers around curl_easy_setopt, which is variadic and so not callable from Swift.
CURLcode ccurl_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode ccurl_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode ccurl_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode ccurl_setopt_read_function(CURL *handle, size_t (*callback)(char *, size_t, size_t, void *));
CURLcode ccurl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *list);
CURLcode ccurl_setopt_mime(CURL *handle, curl_mime *mime);

// Typed wrapper around the variadic curl_easy_getinfo for long-valued information.
CURLcode ccurl_getinfo_long(CURL *handle, CURLINFO info, long *value);
// The last refusal line (4xx or 5xx) the server sent, NUL-terminated ("" when none).
struct ccurl_reply {
    char text[512];
};
// Records the server's refusals into `reply` (through the debug callback; nothing is printed).
CURLcode ccurl_capture_refusals(CURL *handle, struct ccurl_reply *reply);

// curl_global_init(CURL_GLOBAL_DEFAULT): the flag macro does not import into Swift reliably.
CURLcode ccurl_global_init_default(void);

#endif
