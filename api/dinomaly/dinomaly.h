/* dinomaly.cpp's C interface: a trained Dinomaly model from C, C# (P/Invoke), Python
 * (ctypes) or any language that calls C.
 *
 *   char err[512];
 *   dn_detector* d = dn_open("runs/line3", "cpu", err, sizeof err);
 *   if (!d) { fprintf(stderr, "%s\n", err); return 1; }
 *   dn_result r;
 *   if (dn_predict_file(d, "part_17.png", &r, err, sizeof err) != 0) { ... err ... }
 *   printf("%g %d %dx%d\n", r.score, r.anomalous, r.width, r.height);
 *   dn_close(d);
 *
 * Build:  cc my_program.c $(pkg-config --cflags --libs dinomaly)
 *
 * Errors: a function that fails returns NULL (dn_open*) or a non-zero value (dn_predict_*)
 * and writes a one-line message naming what is wrong into err (at most err_len bytes,
 * always NUL-terminated; err may be NULL when err_len is 0). No C++ exception leaves these
 * functions. A detector serves one call at a time: use one detector per thread.
 *
 * The scores are those of the `predict` command, bit for bit (the same decoding, resize,
 * crop, network and score), as `predict --batch 1` prints them; predict's larger batches
 * can move a score in its last bits (about 1e-7 relative). */
#ifndef DINOMALY_DINOMALY_H
#define DINOMALY_DINOMALY_H

#include <stddef.h>

#if defined(_WIN32)
#define DN_C_API __declspec(dllexport)
#else
#define DN_C_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dn_detector dn_detector;

typedef struct dn_result {
  double score;            /* the image's anomaly score */
  double normalized_score; /* 0 at the median normal image, 0.5 at the threshold, clipped to
                              [0, 1]; NaN when the detector has no threshold */
  int anomalous;           /* 1 anomalous, 0 normal, -1 no threshold (a bare checkpoint) */
  /* The anomaly map at the ORIGINAL image's size: width * height floats, row-major (pixel
   * (x, y) at map[y * width + x]), in the score's units. The network sees only the centre
   * crop of the resized image; the band that the crop leaves out (6.25 % of each side with
   * the default 448 -> 392) was not inspected and holds NaN (test with isnan()).
   * Ownership: the map belongs to the detector. It stays valid until the next dn_predict_*
   * call on the same detector or dn_close; copy it to keep it longer. Never free it. */
  int width, height;
  const float* map;
} dn_result;

/* Opens a run directory made by `train` on a device ("cpu", "cuda", "cuda:N"; NULL means
 * "cpu"). NULL and a message in err on failure. A class-separated run needs dn_open_class. */
DN_C_API dn_detector* dn_open(const char* run_dir, const char* device, char* err, size_t err_len);
/* The model of one class of a class-separated run; for a multi-class run, the class whose
 * thresholds judge every image (NULL: an image file is judged by the class named by a folder
 * of its path, anything else by the pooled threshold). An unknown class is an error naming
 * the run's classes. */
DN_C_API dn_detector* dn_open_class(const char* run_dir, const char* class_name, const char* device, char* err,
                                    size_t err_len);
/* A Dinomaly checkpoint (e.g. the authors' released model.pth): encoder is "vits14",
 * "vitb14" or "vitl14"; encoder_weights may be NULL when the checkpoint holds the encoder;
 * resize and crop 0 mean the paper's 448 and 392. It has no threshold (anomalous = -1). */
DN_C_API dn_detector* dn_open_checkpoint(const char* checkpoint, const char* encoder, const char* encoder_weights,
                                         int resize, int crop, const char* device, char* err, size_t err_len);

/* Scores an image file (PNG, JPEG, BMP). 0 on success, filling *out; non-zero and a message
 * in err on failure (*out is then left zeroed, map NULL). */
DN_C_API int dn_predict_file(dn_detector* detector, const char* image_path, dn_result* out, char* err,
                             size_t err_len);
/* Scores an image in memory: width x height pixels of 8-bit RGB, rows top to bottom, packed
 * (3 * width bytes per row, no padding). Returns as dn_predict_file. */
DN_C_API int dn_predict_rgb(dn_detector* detector, const unsigned char* rgb, int width, int height,
                            dn_result* out, char* err, size_t err_len);

/* The image threshold and the pixel threshold (the map value above which a pixel is
 * anomalous) that judge the detector's class (the pooled ones without a class); NaN without
 * a fitted threshold, or for a run trained before pixel thresholds existed. */
DN_C_API double dn_threshold(const dn_detector* detector);
DN_C_API double dn_pixel_threshold(const dn_detector* detector);

/* Frees the detector and the map of its last result. NULL is allowed. */
DN_C_API void dn_close(dn_detector* detector);

#ifdef __cplusplus
}
#endif

#endif /* DINOMALY_DINOMALY_H */
