"""What every task shares: configuration, the recurrent builder, training, saving."""
