// A view reaching for the engine: must fail to compile against seqpe_app_lib (app_boundary test).
#include "views/figure.h"

#include "seqpe/engine.h"

int seqpe_app_boundary_probe() {
    return 0;
}
