#pragma once
// The engine hooks the app hands to the bridge: the real LibTorch trainer and dataset preparation.
// Only this file and main.cpp of the Qt tree know that the engine implementation exists.
#include "engine_hooks.h"

namespace seqpe::ui {
EngineHooks realEngineHooks();
}
