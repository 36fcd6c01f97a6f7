/*
 * afc-tree: lists an AFC volume through libimobiledevice's own AFC client (libimobiledevice-1.0, the library
 * Debian's tools are built on) and prints, per regular file: path, size from afc_get_file_info, bytes actually read
 * with afc_file_read, and a 64-bit FNV-1a hash of those bytes. Debian's 1.3.0 tools have no command that lists or
 * reads AFC (afcclient came in 1.3.1), so the interop test builds this small driver; every AFC packet it sends and
 * parses is libimobiledevice's code, not ours.
 *
 * Usage: afc-tree UDID [PATH]      (USBMUXD_SOCKET_ADDRESS selects the usbmuxd, as for the tools)
 * Exit: 0 listed, 2 usage, 3 device/lockdown/service failure, 4 an AFC call failed (the error is printed).
 */
#include <libimobiledevice/afc.h>
#include <libimobiledevice/libimobiledevice.h>
#include <libimobiledevice/lockdown.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static afc_client_t afc;

static const char *info_value(char **info, const char *key) {
  for (int i = 0; info && info[i] && info[i + 1]; i += 2)
    if (strcmp(info[i], key) == 0) return info[i + 1];
  return NULL;
}

static int walk(const char *path) {
  char **entries = NULL;
  afc_error_t err = afc_read_directory(afc, path, &entries);
  if (err != AFC_E_SUCCESS) {
    fprintf(stderr, "afc_read_directory %s: %d\n", path, err);
    return 4;
  }
  int status = 0;
  for (int i = 0; entries[i] && status == 0; i++) {
    if (strcmp(entries[i], ".") == 0 || strcmp(entries[i], "..") == 0) continue;
    char child[4096];
    snprintf(child, sizeof child, "%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/", entries[i]);
    char **info = NULL;
    err = afc_get_file_info(afc, child, &info);
    if (err != AFC_E_SUCCESS) {
      fprintf(stderr, "afc_get_file_info %s: %d\n", child, err);
      status = 4;
      break;
    }
    const char *kind = info_value(info, "st_ifmt");
    const char *size = info_value(info, "st_size");
    if (kind && strcmp(kind, "S_IFDIR") == 0) {
      status = walk(child);
    } else if (kind && strcmp(kind, "S_IFREG") == 0) {
      uint64_t handle = 0;
      err = afc_file_open(afc, child, AFC_FOPEN_RDONLY, &handle);
      if (err != AFC_E_SUCCESS) {
        fprintf(stderr, "afc_file_open %s: %d\n", child, err);
        status = 4;
      } else {
        uint64_t hash = 0xcbf29ce484222325ULL, total = 0;
        static char buffer[1 << 16];
        uint32_t got = 0;
        while ((err = afc_file_read(afc, handle, buffer, sizeof buffer, &got)) == AFC_E_SUCCESS && got > 0) {
          for (uint32_t b = 0; b < got; b++) hash = (hash ^ (unsigned char)buffer[b]) * 0x100000001b3ULL;
          total += got;
        }
        afc_file_close(afc, handle);
        if (err != AFC_E_SUCCESS) {
          fprintf(stderr, "afc_file_read %s: %d\n", child, err);
          status = 4;
        } else {
          printf("%s\t%s\t%llu\t%016llx\n", child, size ? size : "?", (unsigned long long)total,
                 (unsigned long long)hash);
        }
      }
    }
    afc_dictionary_free(info);
  }
  afc_dictionary_free(entries);
  return status;
}

int main(int argc, char **argv) {
  if (argc < 2 || argc > 3) {
    fprintf(stderr, "usage: afc-tree UDID [PATH]\n");
    return 2;
  }
  idevice_t device = NULL;
  lockdownd_client_t lockdown = NULL;
  lockdownd_service_descriptor_t service = NULL;
  if (idevice_new_with_options(&device, argv[1], IDEVICE_LOOKUP_USBMUX) != IDEVICE_E_SUCCESS) {
    fprintf(stderr, "no device %s\n", argv[1]);
    return 3;
  }
  lockdownd_error_t lerr = lockdownd_client_new_with_handshake(device, &lockdown, "afc-tree");
  if (lerr != LOCKDOWN_E_SUCCESS) {
    fprintf(stderr, "lockdownd handshake: %d\n", lerr);
    return 3;
  }
  lerr = lockdownd_start_service(lockdown, AFC_SERVICE_NAME, &service);
  if (lerr != LOCKDOWN_E_SUCCESS) {
    fprintf(stderr, "StartService %s: %d\n", AFC_SERVICE_NAME, lerr);
    return 3;
  }
  if (afc_client_new(device, service, &afc) != AFC_E_SUCCESS) {
    fprintf(stderr, "afc_client_new failed\n");
    return 3;
  }
  char **device_info = NULL;
  if (afc_get_device_info(afc, &device_info) == AFC_E_SUCCESS) {
    const char *total = info_value(device_info, "FSTotalBytes");
    const char *free_bytes = info_value(device_info, "FSFreeBytes");
    printf("#device\t%s\t%s\n", total ? total : "?", free_bytes ? free_bytes : "?");
    afc_dictionary_free(device_info);
  }
  int status = walk(argc == 3 ? argv[2] : "/");
  afc_client_free(afc);
  lockdownd_service_descriptor_free(service);
  lockdownd_client_free(lockdown);
  idevice_free(device);
  return status;
}
