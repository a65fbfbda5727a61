"""Weather: forecasts for a farmer's place, tips from fixed rules, and the morning schedule."""
