/*
 * The CA certificates that hooks' https is checked against, for every
 * libcurl handle Parley makes (event deliveries and the verdict hook).
 *
 * Kore's workers run chrooted in an empty folder, where neither the
 * system's bundle nor a private CA's file can be opened. So the bundle
 * is read into memory before the chroot (by the parent, as root, in
 * kore_parent_configure), the workers inherit it with fork, and each
 * handle gets it as a blob (CURLOPT_CAINFO_BLOB), never as a path.
 * parley-deliver, not chrooted, does the same so that both deliverers
 * trust exactly the same CAs. Kore-free; read once, never changed after.
 */
#ifndef PARLEY_CA_BUNDLE_H
#define PARLEY_CA_BUNDLE_H

#include <stddef.h>

#include <curl/curl.h>

/* Debian's and Ubuntu's bundle (update-ca-certificates). */
#define CA_BUNDLE_SYSTEM "/etc/ssl/certs/ca-certificates.crt"
/* Far past any real bundle (Debian's is about 200 KB). */
#define CA_BUNDLE_FILE_MAX (8 * 1024 * 1024)

/*
 * The system's bundle: libcurl's own default where it says (7.84+),
 * otherwise CA_BUNDLE_SYSTEM. Call after curl_global_init.
 */
const char *ca_bundle_system_path(void);
/*
 * Adds the certificates of the PEM file at path. The number added, or
 * -1 with a message in err: unreadable, too large, or no certificate.
 */
int ca_bundle_add_file(const char *path, char *err, size_t errlen);
/* The same from memory (for the file's contents, and for tests). */
int ca_bundle_add_pem(const char *pem, size_t len, const char *name, char *err,
    size_t errlen);
/* Certificates in the bundle so far. */
size_t ca_bundle_count(void);
/* The bundle's PEM text as handed to libcurl (len: its length). */
const char *ca_bundle_text(size_t *len);
/*
 * Makes h check peers against the bundle only: libcurl's compiled-in
 * file and folder are turned off (in a chroot they are not there, and
 * outside they must not widen what the workers trust). An empty bundle
 * trusts nothing: https then fails with a certificate error. Again after
 * every curl_easy_reset. -1 if libcurl refused the bundle.
 */
int ca_bundle_apply(CURL *h);
/* At start: -1 with err if this libcurl cannot take a bundle from
 * memory (its TLS library has no CURLOPT_CAINFO_BLOB). */
int ca_bundle_check(char *err, size_t errlen);
/* Forgets the bundle (tests, and a clean exit). */
void ca_bundle_clear(void);

#endif
