/// Server-rendered dashboard for IT and planners.
