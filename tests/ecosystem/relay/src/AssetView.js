// Asset's refetchable fragment lives in HoldingView.js; this module holds the query of one
// asset by global id through `node`.
import { graphql } from "react-relay";

export const AssetViewQuery = graphql`
  query AssetViewQuery($id: ID!) {
    node(id: $id) {
      ...AssetView_asset @alias
    }
  }
`;
