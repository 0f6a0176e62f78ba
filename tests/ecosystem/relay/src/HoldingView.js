// One refetchable fragment per Node type: AssetHolding and Asset.
import { graphql } from "react-relay";

export const HoldingView = graphql`
  fragment HoldingView_holding on AssetHolding
  @refetchable(queryName: "HoldingViewRefetchQuery") {
    id
    amount
    priceUsd
    valueUsd
    asset {
      ...AssetView_asset
    }
    provider {
      ...ProviderView_provider
    }
  }
`;

export const AssetView = graphql`
  fragment AssetView_asset on Asset @refetchable(queryName: "AssetViewRefetchQuery") {
    id
    kind
    symbol
    name
    decimals
    caip19
  }
`;
