"""Marketplaces the cooperative could sell on (eBay, Etsy): their fee schedules as versioned data, the exchange
rates their dollar fees are converted at, and what each would have taken for a sale."""
