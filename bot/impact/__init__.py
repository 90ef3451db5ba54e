"""The impact monitor: what happens to the people the network reaches, counted per week or
month and per site, municipality, channel, language or target group, small counts hidden."""
