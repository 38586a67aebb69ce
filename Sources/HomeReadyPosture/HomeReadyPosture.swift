/// Facts collectors and the posture rule engine.
