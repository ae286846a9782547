#pragma once
// detect: rules over the audit stream (detection_rules.h), judged per agent
// against a baseline learnt from the agent's own history (detector.h), and
// the alerts they raise (alert_store.h). What each rule's action does to
// agents and sessions is app's.

#include "detect/alert_store.h"
#include "detect/detection_rules.h"
#include "detect/detector.h"
#include "detect/judged_mark.h"
