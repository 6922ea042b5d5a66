"""The partner's dashboard and the indicators' screens: income generation, the pillars, the partnerships."""
