"""Ballotroom's rules, pure: counts, rates, thresholds, the five-evaluation score, ratios.

Plain data in, plain data out, exact fractions until display. No Flask, SQL, clock, randomness
or file IO (except reading the packaged default rules file).
"""
