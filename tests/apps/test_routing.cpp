// Routing an image to its class's thresholds (apps/lib/routing.h), by hand: --class wins,
// else the folder nearest the file that names a class, never the file name itself; an
// unknown --class is an error listing the run's classes.
#include <doctest/doctest.h>

#include "apps/lib/routing.h"
#include "tensor/error.h"

using namespace dn;

TEST_CASE("routing: a class folder in the path, the one nearest the file") {
  const std::vector<std::string> classes = {"bottle", "cable", "screw"};
  CHECK(app::class_from_path("/data/mvtec/bottle/test/broken_large/000.png", classes) == "bottle");
  CHECK(app::class_from_path("cable/good.png", classes) == "cable");
  CHECK(app::class_from_path("/lines/screw/archive/cable/x.png", classes) == "cable");  // nearest the file
  CHECK(app::class_from_path("/data/line3/bottle.png", classes) == "");  // the file name is not a folder
  CHECK(app::class_from_path("/data/bottles/x.png", classes) == "");     // whole folder names only
  CHECK(app::class_from_path("x.png", classes) == "");
  CHECK(app::class_from_path("/data/bottle/x.png", {}) == "");           // bare weights know no classes
}

TEST_CASE("routing: --class wins over the path; an unknown one names the run's classes") {
  const std::vector<std::string> classes = {"bottle", "cable"};
  const app::ClassRouter by_path(classes, "", "runs/a");
  CHECK(by_path.class_of("/d/cable/test/good/1.png") == "cable");
  CHECK(by_path.class_of("/d/other/1.png") == "");
  const app::ClassRouter forced(classes, "bottle", "runs/a");
  CHECK(forced.class_of("/d/cable/test/good/1.png") == "bottle");
  CHECK(forced.class_of("/d/other/1.png") == "bottle");
  CHECK_THROWS_WITH_AS(app::ClassRouter(classes, "screw", "runs/a"),
                       doctest::Contains("--class 'screw': not a class of runs/a (its classes: bottle, cable)"), Error);
  CHECK_NOTHROW(app::ClassRouter({}, "anything", "model.pth"));  // bare weights: any name
}
