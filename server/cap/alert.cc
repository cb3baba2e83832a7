#include "cap/alert.h"

namespace vik::cap {

const char* Name(Version v) {
  switch (v) {
    case Version::kCap11:
      return "1.1";
    case Version::kCap12:
      return "1.2";
  }
  return "?";
}

}  // namespace vik::cap
