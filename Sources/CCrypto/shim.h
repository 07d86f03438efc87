#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>
#include <openssl/rsa.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/sha.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/bio.h>

/* BIO_get_mem_data is a macro, which Swift does not import. */
static inline long ccrypto_bio_mem_data(BIO *bio, char **data) { return BIO_get_mem_data(bio, data); }

/* EVP_PKEY_PUBLIC_KEY is a macro of macros, which Swift does not import. */
static const int CCRYPTO_EVP_PKEY_PUBLIC_KEY = EVP_PKEY_PUBLIC_KEY;

/* OSSL_PARAM_BLD keeps pointers to parameter names and string values until
   OSSL_PARAM_BLD_to_param, so they must outlive the call that pushes them: Swift's temporary
   C strings do not, these constants do. */
static const char *const CCRYPTO_PARAM_RSA_N = OSSL_PKEY_PARAM_RSA_N;
static const char *const CCRYPTO_PARAM_RSA_E = OSSL_PKEY_PARAM_RSA_E;
static const char *const CCRYPTO_PARAM_GROUP_NAME = OSSL_PKEY_PARAM_GROUP_NAME;
static const char *const CCRYPTO_PARAM_PUB_KEY = OSSL_PKEY_PARAM_PUB_KEY;
static const char *const CCRYPTO_GROUP_P256 = SN_X9_62_prime256v1;
