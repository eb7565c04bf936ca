/* Scores one image with a trained run, through the C interface:
 *
 *   cc predict_image.c -o predict_image $(pkg-config --cflags --libs dinomaly)
 *   ./predict_image runs/line3 part_17.png
 *
 * prints the score, the normalised score, the label, the map's size and how many of its
 * pixels the centre crop left out (NaN: not inspected). */
#include <dinomaly/dinomaly.h>
#include <math.h>
#include <stdio.h>

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s RUN_DIR IMAGE\n", argv[0]);
    return 2;
  }
  char err[512];
  dn_detector* detector = dn_open(argv[1], "cpu", err, sizeof err);
  if (detector == NULL) {
    fprintf(stderr, "predict_image: %s\n", err);
    return 1;
  }
  dn_result r;
  if (dn_predict_file(detector, argv[2], &r, err, sizeof err) != 0) {
    fprintf(stderr, "predict_image: %s\n", err);
    dn_close(detector);
    return 1;
  }
  long not_inspected = 0;
  for (long i = 0; i < (long)r.width * r.height; ++i) not_inspected += isnan(r.map[i]) != 0;
  const char* label = r.anomalous == 1 ? "anomalous" : r.anomalous == 0 ? "normal" : "none";
  printf("score %.9g normalized %.4f label %s map %dx%d not_inspected %ld\n", r.score, r.normalized_score, label,
         r.width, r.height, not_inspected);
  dn_close(detector); /* also frees r.map */
  return 0;
}
